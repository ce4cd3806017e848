"""What the kernel says about the server's side of a port, so that tests wait
for the server to have done something (accepted, read, closed) instead of
sleeping a fixed time; and the socket helpers the HTTP fault tests share."""
import socket
import time


def server_sockets(port):
    """(state, unread bytes) of each TCP socket on the server's side of `port`, from
    the kernel's tables: state 0A is the listening socket, whose count is its
    queue of connections not yet accepted; 01 an accepted connection, whose count
    is what the server has not read yet; 08 (CLOSE_WAIT) a connection its client
    closed and the server has not closed yet."""
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as f:
            for line in f.read().splitlines()[1:]:
                fields = line.split()
                if int(fields[1].rsplit(":", 1)[1], 16) == port:
                    found.append((fields[3], int(fields[4].split(":")[1], 16)))
    return found


def all_accepted(port):
    """The server has accepted every connection made so far."""
    return all(unread == 0 for state, unread in server_sockets(port) if state == "0A")


def connections_read(port):
    """Accepted connections whose bytes so far the server has read."""
    return sum(1 for state, unread in server_sockets(port) if state == "01" and unread == 0)


def all_closes_seen(port):
    """Every connection its client closed has been closed by the server too."""
    return not any(state == "08" for state, _ in server_sockets(port))


def wait_until(condition, what, deadline=30):
    """Polls `condition` until it holds; fails naming `what` after `deadline` seconds."""
    give_up = time.monotonic() + deadline
    while not condition():
        assert time.monotonic() < give_up, "after %d s still waiting until %s" % (deadline, what)
        time.sleep(0.01)


def close_all(sockets):
    for s in sockets:
        s.close()


def read_until_closed(sock, timeout):
    """Everything the server sent before closing, and whether it reset the connection."""
    sock.settimeout(timeout)
    data = b""
    try:
        while True:
            piece = sock.recv(65536)
            if not piece:
                return data, False
            data += piece
    except ConnectionResetError:
        return data, True
