#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "concord/app/technical_assistance.hpp"

namespace concord::app {

/// One topic's figures in an assistance summary.
struct AssistanceTopicFigures {
    std::string topic;
    std::int64_t open_needs{0};
    std::int64_t open_offers{0};
    std::int64_t matched_needs{0};
    std::int64_t engagements{0};  ///< of every state
    std::int64_t evaluations{0};  ///< engagements evaluated
    std::int64_t score_total{0};  ///< the sum of their scores (mean: score_total / evaluations)
};

/// What a secretariat looks at first (docs/assistance.md "Summary"): per topic, the open needs
/// against the open offers (where help is missing), the matches and the evaluations; and the
/// engagements by state.
struct AssistanceSummary {
    std::vector<AssistanceTopicFigures> topics;  ///< every topic of AssistanceTopics(), in order
    std::map<std::string, std::int64_t> engagements_by_state;  ///< every state, 0 included
};

/// The summary of `postings` and `engagements` (as TechnicalAssistance::List and
/// ::Engagements give them to the caller: only what the caller sees is counted). Pure.
AssistanceSummary SummarizeAssistance(
    const std::vector<AssistancePosting>& postings,
    const std::vector<AssistanceEngagement>& engagements
);

boost::json::object AssistanceSummaryJson(const AssistanceSummary& s);

}  // namespace concord::app
