#include "concord/app/assistance_summary.hpp"

#include <algorithm>

#include <boost/json/array.hpp>

namespace concord::app {

AssistanceSummary SummarizeAssistance(
    const std::vector<AssistancePosting>& postings,
    const std::vector<AssistanceEngagement>& engagements
) {
    AssistanceSummary s;
    for (std::string_view topic : AssistanceTopics()) {
        AssistanceTopicFigures figures;
        figures.topic = topic;
        s.topics.push_back(std::move(figures));
    }
    for (EngagementState state :
         {EngagementState::kAgreed,
          EngagementState::kDelivered,
          EngagementState::kEvaluated,
          EngagementState::kCancelled}) {
        s.engagements_by_state[std::string(EngagementStateName(state))] = 0;
    }
    auto row = [&s](const std::string& topic) -> AssistanceTopicFigures* {
        auto it = std::find_if(s.topics.begin(), s.topics.end(), [&](const auto& t) {
            return t.topic == topic;
        });
        return it == s.topics.end() ? nullptr : &*it;
    };
    for (const AssistancePosting& p : postings) {
        AssistanceTopicFigures* t = row(p.topic);
        if (t == nullptr) {
            continue;
        }
        const bool need = p.kind == PostingKind::kNeed;
        if (p.status == PostingStatus::kOpen) {
            (need ? t->open_needs : t->open_offers) += 1;
        } else if (p.status == PostingStatus::kMatched && need) {
            t->matched_needs += 1;
        }
    }
    for (const AssistanceEngagement& e : engagements) {
        s.engagements_by_state[std::string(EngagementStateName(e.state))] += 1;
        AssistanceTopicFigures* t = row(e.topic);
        if (t == nullptr) {
            continue;
        }
        t->engagements += 1;
        if (e.state == EngagementState::kEvaluated) {
            t->evaluations += 1;
            t->score_total += e.evaluation_score;
        }
    }
    return s;
}

boost::json::object AssistanceSummaryJson(const AssistanceSummary& s) {
    boost::json::array topics;
    for (const AssistanceTopicFigures& t : s.topics) {
        topics.push_back(boost::json::object{
            {"topic", t.topic},
            {"open_needs", t.open_needs},
            {"open_offers", t.open_offers},
            {"matched_needs", t.matched_needs},
            {"engagements", t.engagements},
            {"evaluations", t.evaluations},
            {"score_total", t.score_total}});
    }
    boost::json::object states;
    for (const auto& [state, n] : s.engagements_by_state) {
        states[state] = n;
    }
    return {{"topics", std::move(topics)}, {"engagements_by_state", std::move(states)}};
}

}  // namespace concord::app
