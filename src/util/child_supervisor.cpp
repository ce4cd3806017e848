#include "util/child_supervisor.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace telemetry {
namespace {

constexpr int kForwarded[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2};
constexpr std::size_t kMaxLineBytes = 4096;
constexpr auto kKillGrace = std::chrono::seconds(5);

using Clock = std::chrono::steady_clock;

void write_all(int fd, const char* data, std::size_t size, bool& broken) {
  while (size > 0 && !broken) {
    const ssize_t n = ::write(fd, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      broken = true;  // our stderr is gone: stop copying, as the command itself would have failed
      return;
    }
    data += n;
    size -= static_cast<std::size_t>(n);
  }
}

// Gives the terminal's foreground to `group`; SIGTTOU must not stop us meanwhile.
void hand_terminal(int tty, pid_t group) {
  sigset_t ttou, old;
  sigemptyset(&ttou);
  sigaddset(&ttou, SIGTTOU);
  ::pthread_sigmask(SIG_BLOCK, &ttou, &old);
  ::tcsetpgrp(tty, group);
  ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
}

[[noreturn]] void exec_child(const SupervisorOptions& options, const sigset_t& original_mask,
                             const struct sigaction& original_pipe, int tty, int stderr_write, int status_write) {
  ::setpgid(0, 0);
  if (tty >= 0) hand_terminal(tty, ::getpid());
  ::sigaction(SIGPIPE, &original_pipe, nullptr);
  ::sigprocmask(SIG_SETMASK, &original_mask, nullptr);
  if (stderr_write >= 0) {
    ::dup2(stderr_write, STDERR_FILENO);
    ::close(stderr_write);
  }
  std::vector<char*> argv;
  for (const std::string& arg : options.argv) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  ::execvp(argv[0], argv.data());
  const int error = errno;
  (void)!::write(status_write, &error, sizeof error);
  ::_exit(error == ENOENT ? 127 : 126);
}

}  // namespace

void LineTail::add(const char* data, std::size_t size) {
  if (count_ <= 0) return;
  for (std::size_t i = 0; i < size; ++i) {
    if (data[i] == '\n') {
      done_.push_back(std::move(current_));
      current_.clear();
      if (done_.size() > static_cast<std::size_t>(count_)) done_.erase(done_.begin());
    } else if (current_.size() < kMaxLineBytes) {
      current_ += data[i];
    }
  }
}

std::vector<std::string> LineTail::lines() const {
  std::vector<std::string> out = done_;
  if (!current_.empty()) out.push_back(current_);
  while (out.size() > static_cast<std::size_t>(std::max(count_, 0))) out.erase(out.begin());
  return out;
}

int SupervisorResult::exit_status() const {
  if (exit_code) return *exit_code;
  if (signal) return 128 + *signal;
  return 127;
}

SupervisorResult supervise(const SupervisorOptions& options) {
  if (options.argv.empty()) throw std::invalid_argument("supervise: no command");
  SupervisorResult result;

  sigset_t watched, original_mask;
  sigemptyset(&watched);
  for (int sig : kForwarded) sigaddset(&watched, sig);
  sigaddset(&watched, SIGCHLD);
  ::pthread_sigmask(SIG_BLOCK, &watched, &original_mask);
  const int signals = ::signalfd(-1, &watched, SFD_CLOEXEC | SFD_NONBLOCK);

  struct sigaction ignore {}, original_pipe {};
  ignore.sa_handler = SIG_IGN;
  ::sigaction(SIGPIPE, &ignore, &original_pipe);

  int status_pipe[2];
  if (::pipe2(status_pipe, O_CLOEXEC) != 0) throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
  int stderr_pipe[2] = {-1, -1};
  if (options.tail_lines > 0 && ::pipe2(stderr_pipe, O_CLOEXEC) != 0) {
    throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
  }
  // The terminal is handed over only when we hold it (a foreground job).
  const int tty = ::isatty(STDIN_FILENO) && ::tcgetpgrp(STDIN_FILENO) == ::getpgrp() ? STDIN_FILENO : -1;

  result.started_at = std::chrono::system_clock::now();
  const Clock::time_point started = Clock::now();
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) exec_child(options, original_mask, original_pipe, tty, stderr_pipe[1], status_pipe[1]);

  ::setpgid(pid, pid);  // also done by the child; whichever runs first wins the race
  ::close(status_pipe[1]);
  if (stderr_pipe[1] >= 0) {
    ::close(stderr_pipe[1]);
    ::fcntl(stderr_pipe[0], F_SETFL, O_NONBLOCK);
  }
  int exec_error = 0;
  ssize_t got;
  do got = ::read(status_pipe[0], &exec_error, sizeof exec_error);
  while (got < 0 && errno == EINTR);
  ::close(status_pipe[0]);
  if (got == sizeof exec_error) {
    result.start_error = std::strerror(exec_error);
  } else {
    result.started = true;
  }
  if (options.on_started) options.on_started();

  LineTail tail(options.tail_lines);
  bool stderr_broken = false;
  int stderr_read = stderr_pipe[0];
  std::optional<Clock::time_point> deadline;
  if (options.timeout) deadline = started + *options.timeout;
  std::optional<Clock::time_point> kill_deadline;
  bool running = true;

  auto copy_stderr = [&] {
    char buffer[65536];
    for (;;) {
      const ssize_t n = ::read(stderr_read, buffer, sizeof buffer);
      if (n > 0) {
        write_all(STDERR_FILENO, buffer, static_cast<std::size_t>(n), stderr_broken);
        tail.add(buffer, static_cast<std::size_t>(n));
        if (stderr_broken) {  // the command gets EPIPE/SIGPIPE on its next write, as without us
          ::close(stderr_read);
          stderr_read = -1;
          return;
        }
        continue;
      }
      if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
        ::close(stderr_read);
        stderr_read = -1;
      }
      if (n < 0 && errno == EINTR) continue;
      return;
    }
  };

  while (running) {
    int wait_ms = -1;
    const Clock::time_point now = Clock::now();
    const auto next = kill_deadline ? kill_deadline : deadline;
    if (next) {
      wait_ms = static_cast<int>(std::max<long long>(
          0, std::chrono::duration_cast<std::chrono::milliseconds>(*next - now).count() + 1));
    }
    pollfd fds[2] = {{signals, POLLIN, 0}, {stderr_read, POLLIN, 0}};
    const int ready = ::poll(fds, stderr_read >= 0 ? 2 : 1, wait_ms);
    if (ready < 0 && errno != EINTR) throw std::runtime_error(std::string("poll: ") + std::strerror(errno));

    if (stderr_read >= 0 && (fds[1].revents & (POLLIN | POLLHUP | POLLERR))) copy_stderr();

    if (fds[0].revents & POLLIN) {
      signalfd_siginfo info{};
      while (::read(signals, &info, sizeof info) == sizeof info) {
        const int sig = static_cast<int>(info.ssi_signo);
        if (sig == SIGCHLD) continue;  // reaped below
        if ((sig == SIGINT || sig == SIGTERM) && !result.forwarded) result.forwarded = sig;
        ::kill(-pid, sig);
      }
    }

    int status = 0;
    const pid_t reaped = ::waitpid(pid, &status, WNOHANG | WUNTRACED);
    if (reaped == pid) {
      if (WIFSTOPPED(status)) {
        // Ctrl-Z stopped the command: stop ourselves so the shell sees the job
        // stopped, and carry on (with the command) when continued.
        if (tty >= 0) hand_terminal(tty, ::getpgrp());
        ::raise(SIGSTOP);
        if (tty >= 0 && ::tcgetpgrp(tty) == ::getpgrp()) hand_terminal(tty, pid);
        ::kill(-pid, SIGCONT);
      } else {
        if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
        if (WIFSIGNALED(status)) result.signal = WTERMSIG(status);
        running = false;
      }
    }

    const Clock::time_point after = Clock::now();
    if (running && deadline && !result.timed_out && after >= *deadline) {
      result.timed_out = true;
      ::kill(-pid, SIGTERM);
      ::kill(-pid, SIGCONT);
      kill_deadline = after + kKillGrace;
    } else if (running && kill_deadline && after >= *kill_deadline) {
      ::kill(-pid, SIGKILL);
      kill_deadline.reset();
      deadline.reset();
    }
  }
  result.ended_at = std::chrono::system_clock::now();
  // What the command wrote before it ended; descendants still holding the pipe
  // are not waited for.
  if (stderr_read >= 0) copy_stderr();
  if (stderr_read >= 0) ::close(stderr_read);
  if (tty >= 0) hand_terminal(tty, ::getpgrp());
  // Signals that came after the command ended are dropped, then the caller's
  // mask and SIGPIPE disposition are back as they were.
  signalfd_siginfo late{};
  while (::read(signals, &late, sizeof late) == sizeof late) {
  }
  ::close(signals);
  ::pthread_sigmask(SIG_SETMASK, &original_mask, nullptr);
  ::sigaction(SIGPIPE, &original_pipe, nullptr);
  result.stderr_tail = tail.lines();
  return result;
}

}  // namespace telemetry
