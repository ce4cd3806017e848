// Load generator for `telemetry serve`: N keep-alive clients POST unique
// events (or batches) for a fixed time; prints events/s and latency percentiles.
//
//   bench_load --port P [--clients N] [--seconds S] [--batch K]
//
// Output: one line of JSON, so bench/run_load.sh can take medians.
#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

namespace {

struct Options {
  int port = 8765;
  int clients = 1;
  double seconds = 5;
  int batch = 0;  // 0: single POSTs
  std::string prefix = "bench";
};

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    const char* value = argv[i + 1];
    if (flag == "--port") o.port = std::atoi(value);
    else if (flag == "--clients") o.clients = std::atoi(value);
    else if (flag == "--seconds") o.seconds = std::atof(value);
    else if (flag == "--batch") o.batch = std::atoi(value);
    else if (flag == "--prefix") o.prefix = value;
    else {
      std::fprintf(stderr, "unknown flag %s\n", flag.c_str());
      std::exit(64);
    }
  }
  return o;
}

std::string run_json(const std::string& event_id) {
  return "{\"event_id\":\"" + event_id + "\",\"run_id\":\"r-" + event_id +
         "\",\"agent_name\":\"bench\",\"job_type\":\"load\",\"start_time\":\"2026-01-14T09:15:02+00:00\","
         "\"status\":\"success\",\"items_succeeded\":3,\"metrics_json\":{\"pages\":3}}";
}

double percentile(std::vector<double>& values, double p) {
  if (values.empty()) return 0;
  std::size_t k = static_cast<std::size_t>(p * static_cast<double>(values.size() - 1));
  std::nth_element(values.begin(), values.begin() + static_cast<long>(k), values.end());
  return values[k];
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = parse(argc, argv);
  std::atomic<long> events{0}, failures{0};
  std::vector<std::vector<double>> latencies(static_cast<std::size_t>(o.clients));
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(o.seconds);
  const auto started = std::chrono::steady_clock::now();

  std::vector<std::thread> threads;
  for (int c = 0; c < o.clients; ++c) {
    threads.emplace_back([&, c] {
      httplib::Client client("127.0.0.1", o.port);
      client.set_keep_alive(true);
      client.set_tcp_nodelay(true);
      long sequence = 0;
      while (std::chrono::steady_clock::now() < deadline) {
        std::string body;
        int n = 1;
        const char* path = "/api/v1/runs";
        if (o.batch > 0) {
          n = o.batch;
          path = "/api/v1/runs/batch";
          body = "[";
          for (int i = 0; i < n; ++i) {
            if (i) body += ",";
            body += run_json(o.prefix + "-" + std::to_string(c) + "-" + std::to_string(sequence++));
          }
          body += "]";
        } else {
          body = run_json(o.prefix + "-" + std::to_string(c) + "-" + std::to_string(sequence++));
        }
        const auto t0 = std::chrono::steady_clock::now();
        auto response = client.Post(path, body, "application/json");
        const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
        if (response && response->status == 201) {
          events += n;
          latencies[static_cast<std::size_t>(c)].push_back(ms);
        } else {
          ++failures;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::vector<double> all;
  for (auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
  const double p50 = percentile(all, 0.50);
  const double p99 = percentile(all, 0.99);
  std::printf("{\"clients\":%d,\"batch\":%d,\"seconds\":%.2f,\"events\":%ld,\"failures\":%ld,"
              "\"events_per_second\":%.1f,\"p50_ms\":%.3f,\"p99_ms\":%.3f}\n",
              o.clients, o.batch, elapsed, events.load(), failures.load(), static_cast<double>(events.load()) / elapsed,
              p50, p99);
  return failures.load() == 0 ? 0 : 1;
}
