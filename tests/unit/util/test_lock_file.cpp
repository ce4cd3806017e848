// The single-writer lock, docs/reference/configuration.md §5. flock locks belong to open file
// descriptions, so a second acquire in this process conflicts like another
// process would; the crash cases use forked children.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <functional>

#include "temp_dir.h"
#include "util/error.h"
#include "util/file_system.h"
#include "util/lock_file.h"

using telemetry::Error;
using telemetry::ErrorKind;
using telemetry::current_lock_holder;
using telemetry::WriterLock;
using telemetry::test::read_file;

namespace {

std::string this_host() {
  char buffer[256] = {};
  ::gethostname(buffer, sizeof buffer - 1);
  return buffer;
}

// Expects `action` to throw Error of `kind`; returns its message.
template <typename Action>
std::string error_of(ErrorKind kind, Action action) {
  try {
    action();
  } catch (const Error& error) {
    CHECK(error.kind() == kind);
    return error.what();
  }
  FAIL("no Error thrown");
  return "";
}

// A child that takes the lock, tells the parent through a pipe, then waits to be killed.
pid_t child_holding(const std::string& lock_path) {
  int ready[2];
  REQUIRE(::pipe(ready) == 0);
  pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    // Catch2's handlers would report the signal as a test failure from the child.
    ::signal(SIGTERM, SIG_DFL);
    ::close(ready[0]);
    try {
      auto lock = WriterLock::acquire(lock_path, "/db", "prune");
      char byte = 'x';
      (void)!::write(ready[1], &byte, 1);
      for (;;) ::pause();
    } catch (const Error&) {
      ::_exit(1);  // never fall back into the test runner in the child
    }
  }
  ::close(ready[1]);
  char byte = 0;
  REQUIRE(::read(ready[0], &byte, 1) == 1);
  ::close(ready[0]);
  return pid;
}

}  // namespace

TEST_CASE("lock: acquire creates parent directories and writes four lines") {
  telemetry::test::TempDir dir;
  std::string path = dir / "a/b/telemetry.sqlite.lock";
  {
    auto lock = WriterLock::acquire(path, dir / "telemetry.sqlite", "serve", "http://127.0.0.1:8765");
    CHECK(lock->path() == path);
    CHECK(read_file(path) == std::to_string(::getpid()) + "\n" + this_host() + "\nserve\nhttp://127.0.0.1:8765\n");
    struct stat st {};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == (0644 & ~[] { mode_t m = ::umask(0); ::umask(m); return m; }()));

    lock->set_url("http://127.0.0.1:40000");
    CHECK(read_file(path) == std::to_string(::getpid()) + "\n" + this_host() + "\nserve\nhttp://127.0.0.1:40000\n");
  }
  // Release deletes the path.
  CHECK(::access(path.c_str(), F_OK) != 0);
}

TEST_CASE("lock: other commands write an empty url line") {
  telemetry::test::TempDir dir;
  auto lock = WriterLock::acquire(dir / "x.lock", "/db", "migrate");
  CHECK(read_file(dir / "x.lock") == std::to_string(::getpid()) + "\n" + this_host() + "\nmigrate\n\n");
}

TEST_CASE("lock: a second writer fails with 69 naming the holder, content untouched") {
  telemetry::test::TempDir dir;
  std::string path = dir / "t.lock";
  auto lock = WriterLock::acquire(path, "/srv/t.sqlite", "serve", "http://127.0.0.1:8765");
  std::string before = read_file(path);
  std::string message = error_of(ErrorKind::kUnavailable, [&] { WriterLock::acquire(path, "/srv/t.sqlite", "migrate"); });
  CHECK(message == "/srv/t.sqlite is in use: " + path + " is held by serve (PID " + std::to_string(::getpid()) +
                       " on " + this_host() + ")");
  CHECK(read_file(path) == before);
  // The failed attempt must not have removed the holder's file.
  CHECK(::access(path.c_str(), F_OK) == 0);
}

TEST_CASE("lock: a holder that writes only pid and host is 'another program'") {
  telemetry::test::TempDir dir;
  std::string path = dir / "python.lock";
  // What the Python service does: flock and two lines.
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT, 0644);
  REQUIRE(fd >= 0);
  REQUIRE(::flock(fd, LOCK_EX | LOCK_NB) == 0);
  REQUIRE(::write(fd, "4242\npybox\n", 11) == 11);

  std::string message = error_of(ErrorKind::kUnavailable, [&] { WriterLock::acquire(path, "/data/telemetry.sqlite", "serve"); });
  CHECK(message == "/data/telemetry.sqlite is in use: " + path + " is held by another program (PID 4242 on pybox)");

  auto holder = current_lock_holder(path);
  REQUIRE(holder);
  CHECK(holder->pid == "4242");
  CHECK(holder->host == "pybox");
  CHECK(holder->command.empty());
  CHECK(holder->describe_command() == "another program");
  ::close(fd);
  CHECK_FALSE(current_lock_holder(path).has_value());
}

TEST_CASE("lock: current_lock_holder reports the holder without taking the lock") {
  telemetry::test::TempDir dir;
  std::string path = dir / "t.lock";
  CHECK_FALSE(current_lock_holder(path).has_value());  // no file
  {
    auto lock = WriterLock::acquire(path, "/db", "serve", "http://[::1]:9000");
    auto holder = current_lock_holder(path);
    REQUIRE(holder);
    CHECK(holder->pid == std::to_string(::getpid()));
    CHECK(holder->host == this_host());
    CHECK(holder->command == "serve");
    CHECK(holder->url == "http://[::1]:9000");
    CHECK(holder->describe_command() == "serve");
    // The probe left the lock with its holder.
    CHECK_THROWS_AS(WriterLock::acquire(path, "/db", "prune"), Error);
  }
  CHECK_FALSE(current_lock_holder(path).has_value());
  // A leftover file nobody holds (stale content) is not a holder.
  dir.write("t.lock", "1\nold\nserve\n\n", 0644);
  CHECK_FALSE(current_lock_holder(path).has_value());
}

TEST_CASE("lock: stale content from a crashed holder is overwritten") {
  telemetry::test::TempDir dir;
  std::string path = dir.write("t.lock", "99999\nghost\nserve\nhttp://127.0.0.1:1\nextra junk that is longer\n", 0644);
  auto lock = WriterLock::acquire(path, "/db", "prune");
  CHECK(read_file(path) == std::to_string(::getpid()) + "\n" + this_host() + "\nprune\n\n");
}

TEST_CASE("lock: a child that exits or is killed -9 leaves the lock free") {
  telemetry::test::TempDir dir;
  std::string path = dir / "t.lock";
  for (int signal : {SIGKILL, SIGTERM}) {
    pid_t child = child_holding(path);
    auto holder = current_lock_holder(path);
    REQUIRE(holder);
    CHECK(holder->pid == std::to_string(child));
    CHECK(holder->command == "prune");
    std::string message = error_of(ErrorKind::kUnavailable, [&] { WriterLock::acquire(path, "/db", "serve"); });
    CHECK(message.find("held by prune (PID " + std::to_string(child) + " on ") != std::string::npos);

    ::kill(child, signal);
    int status = 0;
    REQUIRE(::waitpid(child, &status, 0) == child);
    CHECK(WIFSIGNALED(status));
    // The file is still there with the dead child's content, but nobody holds it.
    CHECK(::access(path.c_str(), F_OK) == 0);
    CHECK_FALSE(current_lock_holder(path).has_value());
    auto lock = WriterLock::acquire(path, "/db", "serve");
    CHECK(read_file(path).rfind(std::to_string(::getpid()) + "\n", 0) == 0);
  }
}

TEST_CASE("lock: a child that _exit()s without releasing frees the lock too") {
  telemetry::test::TempDir dir;
  std::string path = dir / "t.lock";
  pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    try {
      auto lock = WriterLock::acquire(path, "/db", "migrate");
      ::_exit(0);  // no destructor: the file stays, the lock goes with the process
    } catch (const Error&) {
      ::_exit(1);
    }
  }
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 0);
  CHECK(read_file(path).find("\nmigrate\n") != std::string::npos);
  auto lock = WriterLock::acquire(path, "/db", "serve");
  CHECK(read_file(path).find("\nserve\n") != std::string::npos);
}

TEST_CASE("lock: release removes the path, so the next writer locks a fresh file") {
  telemetry::test::TempDir dir;
  std::string path = dir / "t.lock";
  auto first = WriterLock::acquire(path, "/db", "serve");
  int old_fd = ::open(path.c_str(), O_RDONLY);
  REQUIRE(old_fd >= 0);
  first.reset();
  CHECK(::access(path.c_str(), F_OK) != 0);
  auto second = WriterLock::acquire(path, "/db", "prune");
  struct stat by_path {}, by_old {};
  REQUIRE(::stat(path.c_str(), &by_path) == 0);
  REQUIRE(::fstat(old_fd, &by_old) == 0);
  CHECK(by_path.st_ino != by_old.st_ino);
  CHECK_THROWS_AS(WriterLock::acquire(path, "/db", "migrate"), Error);
  ::close(old_fd);
}

namespace {
// Replaces the file at `path` with a new one (as a releasing holder's unlink
// followed by another process's create would).
void replace_file(const std::string& path) {
  REQUIRE(::unlink(path.c_str()) == 0);
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT, 0644);
  REQUIRE(fd >= 0);
  ::close(fd);
}
// Opens for real, then lets the test act as another process would between
// acquire's open and its flock.
struct RacingFiles : telemetry::FileSystem {
  std::function<void(int opens)> after_open;
  int opens = 0;
  int open(const std::string& path, int flags, mode_t mode) override {
    const int fd = FileSystem::open(path, flags, mode);
    after_open(++opens);
    return fd;
  }
};
}  // namespace

TEST_CASE("lock: a file replaced between open and flock is not trusted; acquire starts again") {
  telemetry::test::TempDir dir;
  std::string path = dir / "t.lock";
  RacingFiles files;
  files.after_open = [&](int opens) {
    if (opens == 1) replace_file(path);
  };
  auto lock = WriterLock::acquire(path, "/db", "prune", "", files);
  CHECK(files.opens == 2);
  // The lock is on the file now at the path: it holds our content and conflicts.
  CHECK(read_file(path).find("\nprune\n") != std::string::npos);
  CHECK_THROWS_AS(WriterLock::acquire(path, "/db", "migrate"), Error);
  auto holder = current_lock_holder(path);
  REQUIRE(holder);
  CHECK(holder->command == "prune");
}

TEST_CASE("lock: a path that vanishes after open is not trusted either") {
  telemetry::test::TempDir dir;
  std::string path = dir / "t.lock";
  RacingFiles files;
  files.after_open = [&](int opens) {
    if (opens == 1) ::unlink(path.c_str());
  };
  auto lock = WriterLock::acquire(path, "/db", "prune", "", files);
  CHECK(files.opens == 2);
  CHECK(::access(path.c_str(), F_OK) == 0);
}

TEST_CASE("lock: a path replaced on every attempt gives up after 3 restarts") {
  telemetry::test::TempDir dir;
  std::string path = dir / "t.lock";
  RacingFiles files;
  files.after_open = [&](int) { replace_file(path); };
  std::string message = error_of(ErrorKind::kUnavailable, [&] { WriterLock::acquire(path, "/db", "prune", "", files); });
  CHECK(files.opens == 4);
  CHECK(message == "cannot lock " + path + ": the file was replaced 4 times while it was being locked");
  // Nothing is left locked.
  CHECK_FALSE(current_lock_holder(path).has_value());
}

TEST_CASE("lock: a lock file that cannot be created is exit 73 naming the path") {
  telemetry::test::TempDir dir;
  std::string blocker = dir.write("not-a-dir", "", 0600);
  std::string path = blocker + "/t.lock";
  std::string message = error_of(ErrorKind::kCannotCreate, [&] { WriterLock::acquire(path, "/db", "serve"); });
  CHECK(message.find(blocker) != std::string::npos);
  CHECK(message.find("Not a directory") != std::string::npos);

  if (::geteuid() != 0) {  // root ignores directory permissions
    std::string locked_dir = dir / "ro";
    ::mkdir(locked_dir.c_str(), 0500);
    std::string denied = error_of(ErrorKind::kCannotCreate, [&] { WriterLock::acquire(locked_dir + "/t.lock", "/db", "serve"); });
    CHECK(denied == "cannot create lock file " + locked_dir + "/t.lock: Permission denied");
  }
}

TEST_CASE("lock: a symlink, a hard link or a FIFO in the lock's place is refused with 73, its target untouched") {
  telemetry::test::TempDir dir;
  const std::string victim = dir.write("victim", "keep me\n");
  const std::string path = dir / "t.lock";
  REQUIRE(::symlink(victim.c_str(), path.c_str()) == 0);
  std::string message = error_of(ErrorKind::kCannotCreate, [&] { WriterLock::acquire(path, "/srv/t.sqlite", "prune"); });
  CHECK(message.find("lock file " + path + " is a symbolic link") != std::string::npos);
  CHECK(read_file(victim) == "keep me\n");
  CHECK_FALSE(current_lock_holder(path));

  REQUIRE(::unlink(path.c_str()) == 0);
  REQUIRE(::link(victim.c_str(), path.c_str()) == 0);
  message = error_of(ErrorKind::kCannotCreate, [&] { WriterLock::acquire(path, "/srv/t.sqlite", "prune"); });
  CHECK(message.find("a hard link to another file (2 names)") != std::string::npos);
  CHECK(read_file(victim) == "keep me\n");

  REQUIRE(::unlink(path.c_str()) == 0);
  REQUIRE(::mkfifo(path.c_str(), 0600) == 0);
  message = error_of(ErrorKind::kCannotCreate, [&] { WriterLock::acquire(path, "/srv/t.sqlite", "prune"); });
  CHECK(message.find("is not a regular file") != std::string::npos);
}
