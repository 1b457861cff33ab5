#include "concord/app/case_service.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

#include "case_test_support.hpp"
#include "case_wire.hpp"

namespace concord::app {
namespace {

using legal::StepRule;
using legal::StepRuleOf;

class CaseServiceTest : public testing::TwoNodes {
protected:
    Case DraftOne() {
        auto c =
            a_.cases->Draft(alice_, DraftInput{testing::ExampleRequest(), b_.id, "normal", ""});
        EXPECT_TRUE(c) << c.error().message;
        return *c;
    }

    // The incoming copy of `out` on B.
    Case IncomingOf(const Case& out) {
        CaseFilter f;
        f.direction = CaseDirection::kIn;
        auto found = b_.cases->Search(dora_, f);
        EXPECT_TRUE(found);
        for (const Case& c : *found) {
            if (c.origin_id == out.id) {
                return c;
            }
        }
        ADD_FAILURE() << "no incoming case for " << out.id;
        return {};
    }

    std::string StateOn(testing::NodeUnderTest& n, const Actor& who, const std::string& id) {
        auto v = n.cases->Read(who, id);
        return v ? v->record.state : v.error().ToString();
    }

    // Receives a case message at B as the intake would.
    void Deliver(const std::string& body, const std::string& type) {
        federation::ReceivedMessage m;
        m.id = NewUuidV7();
        m.from = a_.id;
        m.type = type;
        m.priority = federation::Priority::kNormal;
        m.body = body;
        m.received_ms = 1'800'000'000'000;
        auto tx = b_.store->Begin();
        ASSERT_TRUE(tx);
        ASSERT_TRUE(b_.cases->OnReceived(**tx, m));
        ASSERT_TRUE((*tx)->Commit());
    }
};

// The data categories the shipped example names, read from the file.
std::vector<std::string> DataCategoriesOfExample() {
    std::vector<std::string> out;
    const auto request = boost::json::parse(testing::ExampleRequest());
    for (const auto& c : request.at("fields").at("data_categories").as_array()) {
        out.emplace_back(c.as_string());
    }
    return out;
}

TEST_P(CaseServiceTest, ADraftIsApprovedSentAndBecomesAnIncomingCase) {
    Case draft = DraftOne();
    EXPECT_EQ(draft.state, "draft");
    EXPECT_EQ(draft.number.substr(0, 3), "FR-");
    EXPECT_EQ(draft.number.size(), std::string("FR-2026-000001").size());
    EXPECT_EQ(draft.requested_party, "JP");
    EXPECT_EQ(draft.offence, "budapest:2");
    auto sent = a_.cases->Approve(bob_, draft.id);
    ASSERT_TRUE(sent) << sent.error().message;
    EXPECT_EQ(sent->state, "sent");
    EXPECT_EQ(sent->approved_by, "user:bob");
    Settle();
    EXPECT_EQ(StateOn(a_, alice_, draft.id), "delivered");
    Case in = IncomingOf(draft);
    EXPECT_EQ(in.state, "delivered");
    EXPECT_EQ(in.direction, CaseDirection::kIn);
    EXPECT_EQ(in.peer_number, draft.number);
    EXPECT_EQ(in.number.substr(0, 3), "JP-");
    EXPECT_EQ(in.requesting_party, "FR");
    // The message that carried it finds it (how a duty alert leads to its case).
    CaseFilter by_message;
    by_message.request_message = in.request_message_id;
    auto found = b_.cases->Search(dora_, by_message);
    ASSERT_TRUE(found);
    ASSERT_EQ(found->size(), 1U);
    EXPECT_EQ(found->at(0).id, in.id);
    by_message.request_message = draft.id;
    EXPECT_TRUE(b_.cases->Search(dora_, by_message)->empty());

    std::vector<std::string> kinds;
    for (const DomainEvent& e : Events(a_, draft.id)) {
        kinds.push_back(e.kind);
        EXPECT_EQ(e.request_type, "mla_stored_data");
        EXPECT_EQ(e.requesting_party, "FR");
        EXPECT_EQ(e.requested_party, "JP");
        // What statistics group by travels on every event of the case.
        EXPECT_EQ(e.direction, "out");
        EXPECT_EQ(e.offence, "budapest:2");
        EXPECT_EQ(e.data_categories, DataCategoriesOfExample());
    }
    EXPECT_EQ(kinds, (std::vector<std::string>{"drafted", "approve", "send", "deliver"}));
    auto in_events = Events(b_, in.id);
    ASSERT_EQ(in_events.size(), 2U);
    EXPECT_EQ(in_events[0].kind, "received");
    EXPECT_EQ(in_events[0].actor, "peer:fr.central");
    EXPECT_EQ(in_events[0].direction, "in");
    EXPECT_EQ(in_events[0].offence, "budapest:2");
    EXPECT_EQ(in_events[0].data_categories, DataCategoriesOfExample());
    EXPECT_EQ(in_events[1].kind, "approval_verified");
}

// A relay forwards an incoming case to a service provider of the node's own party; anything else
// is refused and saves nothing.
TEST_P(CaseServiceTest, ARelayNeedsAnIncomingCaseAndAProviderOfTheOwnParty) {
    Case draft = DraftOne();
    ASSERT_TRUE(a_.cases->Approve(bob_, draft.id));
    Settle();
    Case in = IncomingOf(draft);
    const Actor desk = testing::Person("dora", "desk", {Role::kDutyOfficer, Role::kOfficer});
    // B's peer here is A, a central authority of another party: no provider of JP.
    auto to_peer =
        b_.cases->Draft(desk, DraftInput{testing::ExampleRequest(), a_.id, "normal", "", in.id});
    ASSERT_FALSE(to_peer);
    EXPECT_EQ(to_peer.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(to_peer.error().message.find("service provider of JP"), std::string::npos)
        << to_peer.error().message;
    // An outgoing case is not relayed.
    auto outgoing = a_.cases->Draft(
        alice_, DraftInput{testing::ExampleRequest(), b_.id, "normal", "", draft.id}
    );
    ASSERT_FALSE(outgoing);
    EXPECT_NE(outgoing.error().message.find("incoming case"), std::string::npos)
        << outgoing.error().message;
    auto none = b_.cases->Search(desk, CaseFilter{});
    ASSERT_TRUE(none);
    EXPECT_EQ(none->size(), 1U);  // only the incoming case
}

TEST_P(CaseServiceTest, SelfApprovalIsRefusedAndChangesNothing) {
    const Actor both = testing::Person("carol", "cyber", {Role::kOfficer, Role::kApprover});
    auto c = a_.cases->Draft(both, DraftInput{testing::ExampleRequest(), b_.id, "normal", ""});
    ASSERT_TRUE(c);
    auto approved = a_.cases->Approve(both, c->id);
    ASSERT_FALSE(approved);
    EXPECT_EQ(StepRuleOf(approved.error()), StepRule::kSelfApproval);
    EXPECT_EQ(StateOn(a_, both, c->id), "draft");
    EXPECT_EQ(Events(a_, c->id).size(), 1U);
    auto outbox = a_.node->OutboxDepth();
    ASSERT_TRUE(outbox);
    EXPECT_EQ(outbox->second, 0);
}

// Four eyes, the other way: the approver returns a draft with the reasons; the drafter revises
// it (checked again) and a fresh approval sends the revised text.
TEST_P(CaseServiceTest, AReturnedDraftIsRevisedAndTheRevisionIsWhatIsSent) {
    Case c = DraftOne();
    // Only an approver returns, never the drafter, and always with reasons.
    auto by_officer = a_.cases->Transition(alice_, c.id, StepInput{"return", {}, "too vague"});
    ASSERT_FALSE(by_officer);
    EXPECT_EQ(by_officer.error().code, ErrorCode::kPermissionDenied);
    auto bare = a_.cases->Transition(bob_, c.id, StepInput{"return", {}, "  "});
    ASSERT_FALSE(bare);
    EXPECT_EQ(StepRuleOf(bare.error()), StepRule::kReasonsMissing);
    EXPECT_EQ(StateOn(a_, alice_, c.id), "draft");
    auto returned =
        a_.cases->Transition(bob_, c.id, StepInput{"return", {}, "Name the account's period."});
    ASSERT_TRUE(returned) << returned.error().message;
    EXPECT_EQ(returned->state, "returned");
    EXPECT_EQ(StepRuleOf(a_.cases->Approve(bob_, c.id).error()), StepRule::kWrongState);
    // A revision is not a bare step, and a revision the legal check refuses changes nothing.
    EXPECT_EQ(
        StepRuleOf(a_.cases->Transition(alice_, c.id, StepInput{"revise", {}, {}}).error()),
        StepRule::kWrongState
    );
    auto request = boost::json::parse(testing::ExampleRequest()).as_object();
    auto broken = request;
    broken["fields"].as_object().erase("summary_of_facts");
    auto refused = a_.cases->Revise(alice_, c.id, boost::json::serialize(broken));
    ASSERT_FALSE(refused);
    EXPECT_NE(refused.error().message.find("request_invalid"), std::string::npos);
    auto elsewhere = request;
    elsewhere["requested_party"] = "DE";
    EXPECT_FALSE(a_.cases->Revise(alice_, c.id, boost::json::serialize(elsewhere)));
    EXPECT_EQ(StateOn(a_, alice_, c.id), "returned");

    request["fields"].as_object()["summary_of_facts"] = "Revised: the account was used in March.";
    const std::string revised_text = boost::json::serialize(request);
    auto revised = a_.cases->Revise(bob_, c.id, revised_text);
    ASSERT_FALSE(revised);  // the approver may not edit drafts (kCaseEdit)
    EXPECT_EQ(revised.error().code, ErrorCode::kPermissionDenied);
    revised = a_.cases->Revise(alice_, c.id, revised_text);
    ASSERT_TRUE(revised) << revised.error().message;
    EXPECT_EQ(revised->state, "draft");
    auto view = a_.cases->Read(alice_, c.id);
    ASSERT_TRUE(view);
    EXPECT_EQ(boost::json::parse(view->record.body), boost::json::parse(revised_text));
    std::vector<std::string> kinds;
    for (const TimelineEntry& e : view->timeline) {
        kinds.push_back(e.transition);
    }
    EXPECT_EQ(kinds, (std::vector<std::string>{"drafted", "return", "revise"}));
    EXPECT_EQ(view->timeline[1].reasons, "Name the account's period.");

    ASSERT_TRUE(a_.cases->Approve(bob_, c.id));
    Settle();
    Case in = IncomingOf(c);
    auto received = b_.cases->Read(dora_, in.id);
    ASSERT_TRUE(received);
    EXPECT_NE(
        received->record.body.find("Revised: the account was used in March."), std::string::npos
    );
}

// The reviser of a draft is its drafter, so an approver who revised cannot approve.
TEST_P(CaseServiceTest, WhoRevisesADraftCannotApproveIt) {
    const Actor both = testing::Person("carol", "cyber", {Role::kOfficer, Role::kApprover});
    Case c = DraftOne();
    ASSERT_TRUE(a_.cases->Revise(both, c.id, testing::ExampleRequest()));
    auto approved = a_.cases->Approve(both, c.id);
    ASSERT_FALSE(approved);
    EXPECT_EQ(StepRuleOf(approved.error()), StepRule::kSelfApproval);
    EXPECT_TRUE(a_.cases->Approve(bob_, c.id));
}

TEST_P(CaseServiceTest, PolicyDecidesByUnit) {
    Case c = DraftOne();
    const Actor elsewhere = testing::Person("erin", "fraud", {Role::kApprover});
    auto denied = a_.cases->Approve(elsewhere, c.id);
    ASSERT_FALSE(denied);
    EXPECT_EQ(denied.error().code, ErrorCode::kPermissionDenied);
    const Actor auditor = testing::Person("olga", "cyber", {Role::kAuditor});
    EXPECT_EQ(a_.cases->Read(auditor, c.id).error().code, ErrorCode::kPermissionDenied);
    EXPECT_EQ(
        a_.cases->Draft(auditor, DraftInput{testing::ExampleRequest(), b_.id, "normal", ""})
            .error()
            .code,
        ErrorCode::kPermissionDenied
    );
    EXPECT_EQ(StateOn(a_, alice_, c.id), "draft");
}

TEST_P(CaseServiceTest, ADraftMustPassTheLegalCheckAndNameTheParties) {
    auto bad =
        a_.cases->Draft(alice_, DraftInput{"{\"type\": \"mla_stored_data\"}", b_.id, "normal", ""});
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(bad.error().message.find("request_invalid"), std::string::npos);
    auto to_self =
        a_.cases->Draft(alice_, DraftInput{testing::ExampleRequest(), a_.id, "normal", ""});
    ASSERT_FALSE(to_self);
    CaseFilter all;
    auto none = a_.cases->Search(alice_, all);
    ASSERT_TRUE(none);
    EXPECT_TRUE(none->empty());
}

TEST_P(CaseServiceTest, ARefusalNamesGroundsOfTheBasisAndCarriesReasons) {
    Case c = DraftOne();
    ASSERT_TRUE(a_.cases->Approve(bob_, c.id));
    Settle();
    Case in = IncomingOf(c);
    ASSERT_TRUE(b_.cases->Transition(dora_, in.id, StepInput{"acknowledge", {}, {}}));
    auto no_grounds = b_.cases->Transition(dora_, in.id, StepInput{"refuse", {}, "because"});
    EXPECT_EQ(StepRuleOf(no_grounds.error()), StepRule::kGroundsMissing);
    auto no_reasons = b_.cases->Transition(dora_, in.id, StepInput{"refuse", {"sovereignty"}, ""});
    EXPECT_EQ(StepRuleOf(no_reasons.error()), StepRule::kReasonsMissing);
    auto foreign = b_.cases->Transition(dora_, in.id, StepInput{"refuse", {"nationality"}, "r"});
    EXPECT_EQ(StepRuleOf(foreign.error()), StepRule::kGroundNotAllowed);
    auto wrong_side = b_.cases->Transition(dora_, in.id, StepInput{"close", {}, {}});
    EXPECT_EQ(StepRuleOf(wrong_side.error()), StepRule::kWrongSide);
    EXPECT_EQ(StateOn(b_, dora_, in.id), "acknowledged");
    auto refused = b_.cases->Transition(
        dora_, in.id, StepInput{"refuse", {"sovereignty"}, "Essential interests are at stake."}
    );
    ASSERT_TRUE(refused) << refused.error().message;
    Settle();
    EXPECT_EQ(StateOn(a_, alice_, c.id), "refused");
    auto view = a_.cases->Read(alice_, c.id);
    ASSERT_TRUE(view);
    EXPECT_EQ(view->timeline.back().grounds, std::vector<std::string>{"sovereignty"});
    EXPECT_EQ(view->timeline.back().reasons, "Essential interests are at stake.");
    EXPECT_EQ(Events(a_, c.id).back().grounds, std::vector<std::string>{"sovereignty"});
    ASSERT_TRUE(a_.cases->Transition(alice_, c.id, StepInput{"close", {}, {}}));
    Settle();
    EXPECT_EQ(StateOn(b_, dora_, in.id), "closed");
}

TEST_P(CaseServiceTest, PeerStepsApplyInVersionOrderOnceAndInvalidOnesAreRecorded) {
    boost::json::object request = boost::json::parse(testing::ExampleRequest()).as_object();
    detail::CaseStep step{a_.id, "origin-1", 1, "send", "FR-2026-000099", {}, {}};
    auto with = [&](detail::CaseStep s) {
        boost::json::object body = detail::EncodeStep(s);
        if (s.transition == "send") {
            boost::json::object r = request;
            r[detail::kCaseMember] = body[detail::kCaseMember];
            body = r;
        }
        return boost::json::serialize(body);
    };
    detail::CaseStep query{a_.id, "origin-1", 2, "status_query", "", {}, {}};
    detail::CaseStep withdraw{a_.id, "origin-1", 3, "withdraw", "", {}, "no longer needed"};
    detail::CaseStep close{a_.id, "origin-1", 4, "close", "", {}, {}};
    // The withdrawal overtakes the status query and even the request.
    Deliver(with(withdraw), "notice");
    CaseFilter f;
    EXPECT_TRUE(b_.cases->Search(dora_, f)->empty());
    Deliver(with(step), "request");
    Case in = b_.cases->Search(dora_, f)->at(0);
    EXPECT_EQ(in.state, "delivered");
    EXPECT_EQ(in.version, 1);
    Deliver(with(query), "notice");
    auto view = b_.cases->Read(dora_, in.id);
    ASSERT_TRUE(view);
    EXPECT_EQ(view->record.state, "withdrawn");
    EXPECT_EQ(view->record.version, 3);
    const std::size_t events = Events(b_, in.id).size();
    // The same step again (another envelope): nothing changes.
    Deliver(with(query), "notice");
    Deliver(with(step), "request");
    EXPECT_EQ(Events(b_, in.id).size(), events);
    EXPECT_EQ(b_.cases->Search(dora_, f)->size(), 1U);
    // A step invalid in this view is recorded, not applied.
    Deliver(with(close), "notice");
    view = b_.cases->Read(dora_, in.id);
    EXPECT_EQ(view->record.state, "withdrawn");
    EXPECT_EQ(view->record.version, 4);
    EXPECT_EQ(Events(b_, in.id).back().kind, "transition_refused");
    EXPECT_NE(view->timeline.back().reasons.find("wrong_state"), std::string::npos);
}

TEST_P(CaseServiceTest, APlainRequestBecomesAnIncomingCase) {
    Deliver(testing::ExampleRequest(), "request");
    CaseFilter f;
    auto found = b_.cases->Search(dora_, f);
    ASSERT_EQ(found->size(), 1U);
    EXPECT_EQ(found->at(0).origin_node, a_.id);
    EXPECT_EQ(found->at(0).request_type, "mla_stored_data");
}

// The retention rules of each node look at the other party: the requested one at the sender, the
// requesting one at the recipient.
TEST_P(CaseServiceTest, RetentionFactsNameTheOtherPartyOnEachSide) {
    auto [sent, received] = SendToB(testing::ExampleRequest());
    ASSERT_FALSE(sent.empty());
    auto at_a = a_.cases->RetentionFactsOf(sent);
    ASSERT_TRUE(at_a) << at_a.error().ToString();
    EXPECT_EQ(at_a->instrument, "budapest");
    EXPECT_EQ(at_a->party, "JP");
    EXPECT_EQ(at_a->categories, (std::vector<std::string>{"subscriber", "traffic"}));
    auto at_b = b_.cases->RetentionFactsOf(received.id);
    ASSERT_TRUE(at_b) << at_b.error().ToString();
    EXPECT_EQ(at_b->instrument, "budapest");
    EXPECT_EQ(at_b->party, "FR");
    EXPECT_EQ(at_b->categories, at_a->categories);
    EXPECT_EQ(a_.cases->RetentionFactsOf("no-such-case").error().code, ErrorCode::kNotFound);
}

TEST_P(CaseServiceTest, AssignmentNotesSearchAndPaging) {
    std::vector<Case> drafted;
    for (int i = 0; i < 5; ++i) {
        drafted.push_back(DraftOne());
    }
    auto assigned = a_.cases->Assign(alice_, drafted[0].id, "", "alice");
    ASSERT_TRUE(assigned);
    EXPECT_EQ(assigned->assignee, "alice");
    ASSERT_TRUE(a_.cases->AddNote(alice_, drafted[0].id, "Called the provider."));
    EXPECT_FALSE(a_.cases->AddNote(alice_, drafted[0].id, ""));
    auto view = a_.cases->Read(alice_, drafted[0].id);
    ASSERT_EQ(view->notes.size(), 1U);
    EXPECT_EQ(view->notes[0].author, "user:alice");
    // Moved to another unit, the officer no longer sees it.
    ASSERT_TRUE(a_.cases->Assign(alice_, drafted[1].id, "fraud", ""));
    EXPECT_EQ(a_.cases->Read(alice_, drafted[1].id).error().code, ErrorCode::kPermissionDenied);

    CaseFilter f;
    f.limit = 2;
    auto page1 = a_.cases->Search(alice_, f);
    f.offset = 2;
    auto page2 = a_.cases->Search(alice_, f);
    f.offset = 4;
    auto page3 = a_.cases->Search(alice_, f);
    ASSERT_TRUE(page1 && page2 && page3);
    EXPECT_EQ(page1->size() + page2->size() + page3->size(), 4U);  // not the fraud unit's
    EXPECT_NE(page1->at(0).id, page2->at(0).id);
    CaseFilter by_number;
    by_number.number_contains = drafted[3].number.substr(drafted[3].number.size() - 6);
    auto one = a_.cases->Search(alice_, by_number);
    ASSERT_EQ(one->size(), 1U);
    EXPECT_EQ(one->at(0).id, drafted[3].id);
    CaseFilter filters;
    filters.party = "JP";
    filters.request_type = "mla_stored_data";
    filters.state = "draft";
    filters.offence = "budapest:2";
    EXPECT_EQ(a_.cases->Search(alice_, filters)->size(), 4U);
    filters.state = "sent";
    EXPECT_TRUE(a_.cases->Search(alice_, filters)->empty());
    CaseFilter due;
    due.due_before_ms = 1;
    EXPECT_EQ(a_.cases->Search(alice_, due).error().code, ErrorCode::kInvalidArgument);
}

INSTANTIATE_TEST_SUITE_P(
    Backends,
    CaseServiceTest,
    ::testing::Values("sqlite", "postgres"),
    [](const auto& param_info) { return std::string(param_info.param); }
);

}  // namespace
}  // namespace concord::app
