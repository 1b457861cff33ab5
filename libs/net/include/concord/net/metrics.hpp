#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "concord/core/mutex.hpp"

namespace concord::net {

/// Label pairs of one time series, e.g. {{"method", "GET"}, {"code", "200"}}.
using Labels = std::vector<std::pair<std::string, std::string>>;

/// A monotonically increasing count. Lock-free.
class Counter {
public:
    void Increment(uint64_t by = 1) { value_.fetch_add(by, std::memory_order_relaxed); }
    [[nodiscard]] uint64_t Value() const { return value_.load(std::memory_order_relaxed); }

private:
    std::atomic<uint64_t> value_{0};
};

/// A value that goes up and down. Lock-free.
class Gauge {
public:
    void Set(double value) { value_.store(value, std::memory_order_relaxed); }
    void Add(double delta);
    [[nodiscard]] double Value() const { return value_.load(std::memory_order_relaxed); }

private:
    std::atomic<double> value_{0};
};

/// A distribution over fixed upper bounds (cumulative on output). Lock-free.
class Histogram {
public:
    /// `buckets` are finite upper bounds; they are sorted and deduplicated; +Inf is implicit.
    explicit Histogram(std::vector<double> buckets);
    void Observe(double value);
    [[nodiscard]] const std::vector<double>& Bounds() const { return bounds_; }
    /// Non-cumulative count of bucket `i` (i == bounds().size() is the +Inf overflow).
    [[nodiscard]] uint64_t BucketCount(size_t i) const;
    [[nodiscard]] uint64_t Count() const { return count_.load(std::memory_order_relaxed); }
    [[nodiscard]] double Sum() const { return sum_.load(std::memory_order_relaxed); }

private:
    std::vector<double> bounds_;
    std::unique_ptr<std::atomic<uint64_t>[]> counts_;
    std::atomic<uint64_t> count_{0};
    std::atomic<double> sum_{0};
};

/// A small Prometheus registry. Registration takes a lock; updating a Counter, Gauge or
/// Histogram does not. Returned references stay valid for the registry's lifetime. Several
/// series may share a name with different labels (same help and type); registering the same
/// name and labels twice returns the existing series. Names must match
/// [a-zA-Z_:][a-zA-Z0-9_:]* (asserted: names are code, not input).
///
///     Metrics m;
///     auto& requests = m.AddCounter("concord_http_requests_total", "HTTP requests", {{"code",
///     "200"}}); requests.Increment(); std::string text = m.Render();  // text exposition format
///     0.0.4
class Metrics {
public:
    Metrics();
    ~Metrics();
    Metrics(const Metrics&) = delete;
    Metrics& operator=(const Metrics&) = delete;

    Counter& AddCounter(
        const std::string& name, const std::string& help, const Labels& labels = {}
    );
    Gauge& AddGauge(const std::string& name, const std::string& help, const Labels& labels = {});
    /// A gauge whose value is read by calling `read` at Render time (from the rendering thread).
    void AddGaugeFunction(
        const std::string& name,
        const std::string& help,
        std::function<double()> read,
        const Labels& labels = {}
    );
    Histogram& AddHistogram(
        const std::string& name,
        const std::string& help,
        std::vector<double> buckets,
        const Labels& labels = {}
    );

    /// The Prometheus text exposition format 0.0.4 (content type
    /// "text/plain; version=0.0.4; charset=utf-8"), families in registration order.
    [[nodiscard]] std::string Render() const;

    /// Content type for Render's output.
    static constexpr const char* kContentType = "text/plain; version=0.0.4; charset=utf-8";

private:
    struct Family;
    mutable Mutex mu_;
    std::deque<std::unique_ptr<Family>> families_ CONCORD_GUARDED_BY(mu_);
    Family& FamilyFor(const std::string& name, const std::string& help, int type)
        CONCORD_REQUIRES(mu_);
};

}  // namespace concord::net
