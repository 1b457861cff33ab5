#include "concord/net/metrics.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "concord/core/assert.hpp"

namespace concord::net {
namespace {

enum Type : int { kCounter = 0, kGauge = 1, kHistogram = 2 };

const char* TypeName(int type) {
    switch (type) {
        case kCounter:
            return "counter";
        case kGauge:
            return "gauge";
        default:
            return "histogram";
    }
}

bool ValidName(const std::string& name) {
    if (name.empty()) {
        return false;
    }
    for (size_t i = 0; i < name.size(); ++i) {
        char c = name[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' ||
                  (i > 0 && c >= '0' && c <= '9');
        if (!ok) {
            return false;
        }
    }
    return true;
}

std::string FormatDouble(double value) {
    if (std::isnan(value)) {
        return "NaN";
    }
    if (std::isinf(value)) {
        return value > 0 ? "+Inf" : "-Inf";
    }
    char buf[64];
    auto [ptr, ec] = std::to_chars(buf, buf + sizeof buf, value);
    return std::string(buf, ptr);
}

std::string EscapeHelp(const std::string& text) {
    std::string out;
    for (char c : text) {
        if (c == '\\') {
            out += "\\\\";
        } else if (c == '\n') {
            out += "\\n";
        } else {
            out.push_back(c);
        }
    }
    return out;
}

std::string EscapeLabelValue(const std::string& text) {
    std::string out;
    for (char c : text) {
        if (c == '\\') {
            out += "\\\\";
        } else if (c == '\n') {
            out += "\\n";
        } else if (c == '"') {
            out += "\\\"";
        } else {
            out.push_back(c);
        }
    }
    return out;
}

std::string LabelText(
    const Labels& labels, const std::string& extra_name = {}, const std::string& extra_value = {}
) {
    if (labels.empty() && extra_name.empty()) {
        return {};
    }
    std::string out = "{";
    bool first = true;
    for (const auto& [name, value] : labels) {
        out += first ? "" : ",";
        out += name + "=\"" + EscapeLabelValue(value) + "\"";
        first = false;
    }
    if (!extra_name.empty()) {
        out += first ? "" : ",";
        out += extra_name + "=\"" + EscapeLabelValue(extra_value) + "\"";
    }
    out += "}";
    return out;
}

}  // namespace

void Gauge::Add(double delta) {
    double current = value_.load(std::memory_order_relaxed);
    while (!value_.compare_exchange_weak(current, current + delta, std::memory_order_relaxed)) {
    }
}

Histogram::Histogram(std::vector<double> buckets) : bounds_(std::move(buckets)) {
    bounds_.erase(
        std::remove_if(bounds_.begin(), bounds_.end(), [](double b) { return !std::isfinite(b); }),
        bounds_.end()
    );
    std::sort(bounds_.begin(), bounds_.end());
    bounds_.erase(std::unique(bounds_.begin(), bounds_.end()), bounds_.end());
    counts_ = std::make_unique<std::atomic<uint64_t>[]>(bounds_.size() + 1);
    for (size_t i = 0; i <= bounds_.size(); ++i) {
        counts_[i].store(0, std::memory_order_relaxed);
    }
}

void Histogram::Observe(double value) {
    // The first bucket whose upper bound is >= value ("le" is inclusive).
    auto it = std::lower_bound(bounds_.begin(), bounds_.end(), value);
    size_t index = static_cast<size_t>(it - bounds_.begin());
    counts_[index].fetch_add(1, std::memory_order_relaxed);
    double current = sum_.load(std::memory_order_relaxed);
    while (!sum_.compare_exchange_weak(current, current + value, std::memory_order_relaxed)) {
    }
    count_.fetch_add(1, std::memory_order_relaxed);
}

uint64_t Histogram::BucketCount(size_t i) const {
    return i <= bounds_.size() ? counts_[i].load(std::memory_order_relaxed) : 0;
}

struct Metrics::Family {
    std::string name;
    std::string help;
    int type = kCounter;
    struct Series {
        Labels labels;
        std::unique_ptr<Counter> counter;
        std::unique_ptr<Gauge> gauge;
        std::function<double()> read;
        std::unique_ptr<Histogram> histogram;
    };
    std::deque<Series> series;

    Series* Find(const Labels& labels) {
        for (auto& s : series) {
            if (s.labels == labels) {
                return &s;
            }
        }
        return nullptr;
    }
};

Metrics::Metrics() = default;
Metrics::~Metrics() = default;

Metrics::Family& Metrics::FamilyFor(const std::string& name, const std::string& help, int type) {
    CONCORD_ASSERT(ValidName(name));
    for (auto& family : families_) {
        if (family->name == name) {
            CONCORD_ASSERT(family->type == type);
            return *family;
        }
    }
    auto family = std::make_unique<Family>();
    family->name = name;
    family->help = help;
    family->type = type;
    families_.push_back(std::move(family));
    return *families_.back();
}

Counter& Metrics::AddCounter(
    const std::string& name, const std::string& help, const Labels& labels
) {
    MutexLock lock(mu_);
    Family& family = FamilyFor(name, help, kCounter);
    if (auto* s = family.Find(labels); s != nullptr && s->counter) {
        return *s->counter;
    }
    auto& s = family.series.emplace_back();
    s.labels = labels;
    s.counter = std::make_unique<Counter>();
    return *s.counter;
}

Gauge& Metrics::AddGauge(const std::string& name, const std::string& help, const Labels& labels) {
    MutexLock lock(mu_);
    Family& family = FamilyFor(name, help, kGauge);
    if (auto* s = family.Find(labels); s != nullptr && s->gauge) {
        return *s->gauge;
    }
    auto& s = family.series.emplace_back();
    s.labels = labels;
    s.gauge = std::make_unique<Gauge>();
    return *s.gauge;
}

void Metrics::AddGaugeFunction(
    const std::string& name,
    const std::string& help,
    std::function<double()> read,
    const Labels& labels
) {
    MutexLock lock(mu_);
    Family& family = FamilyFor(name, help, kGauge);
    if (auto* s = family.Find(labels); s != nullptr) {
        s->gauge.reset();
        s->read = std::move(read);
        return;
    }
    auto& s = family.series.emplace_back();
    s.labels = labels;
    s.read = std::move(read);
}

Histogram& Metrics::AddHistogram(
    const std::string& name,
    const std::string& help,
    std::vector<double> buckets,
    const Labels& labels
) {
    MutexLock lock(mu_);
    Family& family = FamilyFor(name, help, kHistogram);
    if (auto* s = family.Find(labels); s != nullptr && s->histogram) {
        return *s->histogram;
    }
    auto& s = family.series.emplace_back();
    s.labels = labels;
    s.histogram = std::make_unique<Histogram>(std::move(buckets));
    return *s.histogram;
}

std::string Metrics::Render() const {
    MutexLock lock(mu_);
    std::string out;
    for (const auto& family : families_) {
        out += "# HELP " + family->name + " " + EscapeHelp(family->help) + "\n";
        out += "# TYPE " + family->name + " " + TypeName(family->type) + "\n";
        for (const auto& s : family->series) {
            if (s.counter) {
                out += family->name + LabelText(s.labels) + " " +
                       std::to_string(s.counter->Value()) + "\n";
            } else if (s.gauge) {
                out += family->name + LabelText(s.labels) + " " + FormatDouble(s.gauge->Value()) +
                       "\n";
            } else if (s.read) {
                out += family->name + LabelText(s.labels) + " " + FormatDouble(s.read()) + "\n";
            } else if (s.histogram) {
                const Histogram& h = *s.histogram;
                uint64_t cumulative = 0;
                for (size_t i = 0; i <= h.Bounds().size(); ++i) {
                    cumulative += h.BucketCount(i);
                    std::string le = i < h.Bounds().size() ? FormatDouble(h.Bounds()[i]) : "+Inf";
                    out += family->name + "_bucket" + LabelText(s.labels, "le", le) + " " +
                           std::to_string(cumulative) + "\n";
                }
                out += family->name + "_sum" + LabelText(s.labels) + " " + FormatDouble(h.Sum()) +
                       "\n";
                // _count equals the +Inf bucket; read from the buckets so a concurrent Observe
                // cannot make the two disagree in one rendering.
                out += family->name + "_count" + LabelText(s.labels) + " " +
                       std::to_string(cumulative) + "\n";
            }
        }
    }
    return out;
}

}  // namespace concord::net
