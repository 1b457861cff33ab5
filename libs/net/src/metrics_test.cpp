#include "concord/net/metrics.hpp"

#include <sstream>
#include <thread>

#include <gtest/gtest.h>

namespace concord::net {
namespace {

std::vector<std::string> Lines(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        lines.push_back(line);
    }
    return lines;
}

TEST(Metrics, RendersTheTextExpositionFormatLineByLine) {
    Metrics m;
    m.AddCounter("http_requests_total", "HTTP requests.", {{"code", "200"}}).Increment(3);
    m.AddCounter("http_requests_total", "HTTP requests.", {{"code", "404"}}).Increment();
    m.AddGauge("queue_depth", "Outbox depth\nwith \\ newline.").Set(2.5);
    m.AddGaugeFunction("ledger_size", "Leaves.", [] { return 42.0; });
    auto& h = m.AddHistogram("latency_seconds", "Latency.", {0.5, 0.1, 1});
    h.Observe(0.0625);
    h.Observe(0.5);  // "le" is inclusive
    h.Observe(0.75);
    h.Observe(3);
    auto lines = Lines(m.Render());
    std::vector<std::string> expected = {
        "# HELP http_requests_total HTTP requests.",
        "# TYPE http_requests_total counter",
        "http_requests_total{code=\"200\"} 3",
        "http_requests_total{code=\"404\"} 1",
        "# HELP queue_depth Outbox depth\\nwith \\\\ newline.",
        "# TYPE queue_depth gauge",
        "queue_depth 2.5",
        "# HELP ledger_size Leaves.",
        "# TYPE ledger_size gauge",
        "ledger_size 42",
        "# HELP latency_seconds Latency.",
        "# TYPE latency_seconds histogram",
        "latency_seconds_bucket{le=\"0.1\"} 1",
        "latency_seconds_bucket{le=\"0.5\"} 2",
        "latency_seconds_bucket{le=\"1\"} 3",
        "latency_seconds_bucket{le=\"+Inf\"} 4",
        "latency_seconds_sum 4.3125",
        "latency_seconds_count 4",
    };
    EXPECT_EQ(lines, expected);
}

TEST(Metrics, EscapesLabelValuesAndCombinesLabelsWithLe) {
    Metrics m;
    m.AddCounter("c_total", "c", {{"path", "a\"b\\c\nd"}});
    auto& h = m.AddHistogram("h", "h", {1}, {{"route", "/x"}});
    h.Observe(1);
    auto lines = Lines(m.Render());
    EXPECT_EQ(lines[2], "c_total{path=\"a\\\"b\\\\c\\nd\"} 0");
    EXPECT_EQ(lines[5], "h_bucket{route=\"/x\",le=\"1\"} 1");
    EXPECT_EQ(lines[6], "h_bucket{route=\"/x\",le=\"+Inf\"} 1");
    EXPECT_EQ(lines[7], "h_sum{route=\"/x\"} 1");
    EXPECT_EQ(lines[8], "h_count{route=\"/x\"} 1");
}

TEST(Metrics, SameNameAndLabelsReturnTheSameSeries) {
    Metrics m;
    Counter& a = m.AddCounter("x_total", "x", {{"k", "v"}});
    Counter& b = m.AddCounter("x_total", "x", {{"k", "v"}});
    EXPECT_EQ(&a, &b);
    Gauge& g = m.AddGauge("g", "g");
    g.Add(1.5);
    g.Add(-0.5);
    EXPECT_EQ(g.Value(), 1.0);
}

TEST(Metrics, ConcurrentUpdatesAreCountedExactly) {
    Metrics m;
    Counter& c = m.AddCounter("n_total", "n");
    Histogram& h = m.AddHistogram("v", "v", {10});
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&] {
            for (int i = 0; i < 10000; ++i) {
                c.Increment();
                h.Observe(1);
            }
        });
    }
    std::thread renderer([&] {
        for (int i = 0; i < 20; ++i) {
            EXPECT_FALSE(m.Render().empty());
        }
    });
    for (auto& t : threads) {
        t.join();
    }
    renderer.join();
    EXPECT_EQ(c.Value(), 40000u);
    EXPECT_EQ(h.Count(), 40000u);
    EXPECT_EQ(h.Sum(), 40000.0);
    EXPECT_EQ(h.BucketCount(0), 40000u);
}

}  // namespace
}  // namespace concord::net
