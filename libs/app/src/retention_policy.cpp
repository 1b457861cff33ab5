#include "concord/app/retention_policy.hpp"

#include <algorithm>
#include <iterator>
#include <utility>

namespace concord::app {
namespace {

constexpr std::int64_t kDayMs = std::int64_t{24} * 3600 * 1000;
constexpr std::int64_t kMaxDays = 36525;
constexpr std::size_t kMaxInstrumentBytes = 64;

Error Invalid(std::string message) {
    return MakeError(ErrorCode::kInvalidArgument, std::move(message));
}

bool IsInstrumentId(std::string_view id) {
    return !id.empty() && id.size() <= kMaxInstrumentBytes && std::ranges::all_of(id, [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    });
}

bool IsPartyCode(std::string_view code) {
    return code.size() == 2 &&
           std::ranges::all_of(code, [](char c) { return c >= 'A' && c <= 'Z'; });
}

int Members(const RetentionRule& rule) {
    return static_cast<int>(!rule.instrument.empty()) + static_cast<int>(!rule.party.empty()) +
           static_cast<int>(!rule.category.empty());
}

bool Matches(const RetentionRule& rule, const RetentionFacts& facts) {
    return (rule.instrument.empty() || rule.instrument == facts.instrument) &&
           (rule.party.empty() || rule.party == facts.party) &&
           (rule.category.empty() ||
            std::ranges::find(facts.categories, rule.category) != facts.categories.end());
}

Result<void> CheckPeriod(std::int64_t period_ms, std::string_view what) {
    if (period_ms < kDayMs || period_ms > kMaxDays * kDayMs) {
        return Invalid(std::string(what) + ": a retention period is from 1 to 36525 days");
    }
    return {};
}

}  // namespace

std::string RetentionRule::Describe() const {
    std::string out;
    const auto add = [&out](std::string_view name, const std::string& value) {
        if (!value.empty()) {
            out += (out.empty() ? "" : ",") + std::string(name) + "=" + value;
        }
    };
    add("instrument", instrument);
    add("party", party);
    add("category", category);
    return out;
}

Result<RetentionPolicy> RetentionPolicy::Create(
    std::int64_t default_ms, std::vector<RetentionRule> rules
) {
    CONCORD_RETURN_IF_ERROR(CheckPeriod(default_ms, "the default"));
    for (std::size_t i = 0; i < rules.size(); ++i) {
        const RetentionRule& rule = rules[i];
        const std::string what = "retention rule " + std::to_string(i + 1);
        if (Members(rule) == 0) {
            return Invalid(what + " sets none of instrument, party and category");
        }
        if (!rule.instrument.empty() && !IsInstrumentId(rule.instrument)) {
            return Invalid(what + ": instrument is an id of lower-case letters, digits and '-'");
        }
        if (!rule.party.empty() && !IsPartyCode(rule.party)) {
            return Invalid(what + ": party is a code of two capital letters");
        }
        if (!rule.category.empty() && std::ranges::find(kRetentionCategories, rule.category) ==
                                          std::end(kRetentionCategories)) {
            return Invalid(
                what + ": category is one of subscriber, identification, traffic, content"
            );
        }
        CONCORD_RETURN_IF_ERROR(CheckPeriod(rule.period_ms, what));
        for (std::size_t j = 0; j < i; ++j) {
            if (rules[j].Describe() == rule.Describe()) {
                return Invalid(
                    what + " repeats rule " + std::to_string(j + 1) + " (" + rule.Describe() + ")"
                );
            }
        }
    }
    return RetentionPolicy(default_ms, std::move(rules));
}

RetentionPolicy::Decision RetentionPolicy::For(const RetentionFacts& facts) const {
    const RetentionRule* best = nullptr;
    for (const RetentionRule& rule : rules_) {
        if (!Matches(rule, facts)) {
            continue;
        }
        if (best == nullptr || Members(rule) > Members(*best) ||
            (Members(rule) == Members(*best) && rule.period_ms < best->period_ms)) {
            best = &rule;
        }
    }
    if (best == nullptr) {
        return Decision{default_ms_, {}};
    }
    return Decision{best->period_ms, best->Describe()};
}

}  // namespace concord::app
