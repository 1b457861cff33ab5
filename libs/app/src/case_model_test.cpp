// The model-based test of the case lifecycle (issue 9 §4): random valid and invalid steps from
// both parties on two real nodes, with lost and repeated deliveries (so messages overtake each
// other) and nodes closed and reopened in between. At the end both views of every case are the
// same as each other and as the model's, and every invalid step was refused with a typed error
// and changed nothing.
#include <algorithm>
#include <random>

#include <gtest/gtest.h>

#include "concord/app/case_service.hpp"

#include "case_test_support.hpp"

namespace concord::app {
namespace {

// The model: a case's state, and what it takes for a step to be valid, computed from the
// lifecycle data by this test's own reading of the rules (docs/cases.md), not by Check.
struct ModelCase {
    std::string a_id;  // the outgoing case on A
    std::string b_id;  // the incoming case on B, once known
    std::string state{"draft"};
    int last_side{-1};  // 0: A, 1: B
};

bool SameState(const std::string& model, const std::string& actual) {
    // The request's receipt reaches A on its own schedule: "sent" and "delivered" allow the same
    // steps to people.
    auto norm = [](const std::string& s) { return s == "delivered" ? std::string("sent") : s; };
    return norm(model) == norm(actual);
}

struct Snapshot {
    std::string state;
    std::int64_t version{0};
    std::string unit;
    std::string approved_by;
    std::size_t timeline{0};
    std::size_t events{0};
    bool operator==(const Snapshot&) const = default;
};

class CaseModelTest : public testing::TwoNodes {
protected:
    Snapshot Take(testing::NodeUnderTest& n, const Actor& who, const std::string& id) {
        auto v = n.cases->Read(who, id);
        EXPECT_TRUE(v) << v.error().message;
        if (!v) {
            return {};
        }
        return Snapshot{
            v->record.state,
            v->record.version,
            v->record.unit,
            v->record.approved_by,
            v->timeline.size(),
            Events(n, id).size()};
    }

    std::string FindIncoming(const std::string& origin_id) {
        CaseFilter f;
        f.direction = CaseDirection::kIn;
        f.limit = 500;
        auto found = b_.cases->Search(dora_, f);
        EXPECT_TRUE(found);
        for (const Case& c : *found) {
            if (c.origin_id == origin_id) {
                return c.id;
            }
        }
        return {};
    }

    // The crossing steps of a case in the order of its versions, as `n` recorded them.
    static std::vector<std::string> History(
        testing::NodeUnderTest& n, const Actor& who, const std::string& id
    ) {
        std::vector<std::string> out;
        auto v = n.cases->Read(who, id);
        EXPECT_TRUE(v);
        for (const TimelineEntry& e : v->timeline) {
            if (!e.message_id.empty() && e.transition != "deliver") {
                out.push_back(
                    std::to_string(e.version) + ":" +
                    (e.transition == "received" ? "send" : e.transition)
                );
            }
        }
        return out;
    }
};

TEST_P(CaseModelTest, RandomStepsFromBothSidesEndInTheSameViews) {
    const legal::Lifecycle& lc = testing::Lifecycle();
    const std::vector<std::string>& basis_grounds = testing::Catalog()
                                                        .request_types.at("mla_stored_data")
                                                        .FindBasis("budapest")
                                                        ->refusal_grounds;
    std::mt19937 random(GetParam() == "sqlite" ? 20261130 : 20261201);
    auto pick = [&](std::size_t n) {
        return static_cast<std::size_t>(std::uniform_int_distribution<std::size_t>(0, n - 1)(random)
        );
    };
    transport_.SetFaults(200, 200);

    std::vector<ModelCase> cases(4);
    for (ModelCase& m : cases) {
        auto c =
            a_.cases->Draft(alice_, DraftInput{testing::ExampleRequest(), b_.id, "normal", ""});
        ASSERT_TRUE(c) << c.error().message;
        m.a_id = c->id;
    }
    std::vector<std::string> names;
    for (const legal::Transition& t : lc.Transitions()) {
        names.push_back(t.id);
    }
    names.emplace_back("no_such_step");

    int valid_steps = 0;
    int invalid_steps = 0;
    int restarts = 0;
    for (int i = 0; i < 150; ++i) {
        std::size_t index = pick(cases.size());
        if ((cases[index].state == "closed" || cases[index].state == "withdrawn") &&
            cases.size() < 24) {
            // A case at its end is replaced by a new draft (it stays in the final check).
            auto c =
                a_.cases->Draft(alice_, DraftInput{testing::ExampleRequest(), b_.id, "normal", ""});
            ASSERT_TRUE(c) << c.error().message;
            cases.push_back(ModelCase{c->id, "", "draft", -1});
            index = cases.size() - 1;
        }
        ModelCase& m = cases[index];
        int side = static_cast<int>(pick(2));
        const bool before_sending = m.state == "draft" || m.state == "returned" ||
                                    m.state == "approved" ||
                                    (m.state == "withdrawn" && m.b_id.empty());
        if (side == 1 && before_sending) {
            side = 0;
        }
        if (m.last_side != -1 && m.last_side != side) {
            // One party at a time per case: the other party's steps are applied first.
            Settle();
        }
        if (side == 1 && m.b_id.empty()) {
            Settle();
            m.b_id = FindIncoming(m.a_id);
            ASSERT_FALSE(m.b_id.empty()) << "the request never arrived";
        }
        testing::NodeUnderTest& node = side == 0 ? a_ : b_;
        const std::string& id = side == 0 ? m.a_id : m.b_id;
        const legal::Side side_of_actor =
            side == 0 ? legal::Side::kRequesting : legal::Side::kRequested;
        const Snapshot before = Take(node, side == 0 ? alice_ : dora_, id);
        ASSERT_TRUE(SameState(m.state, before.state)) << m.state << " vs " << before.state;

        // Most steps are meant to be valid (so cases travel far), the rest are anything.
        std::string name = names[pick(names.size())];
        StepInput step{name, {}, pick(2) == 0 ? "" : "Reasons given."};
        switch (pick(3)) {
            case 0:
                break;
            case 1:
                step.grounds = {basis_grounds[pick(basis_grounds.size())]};
                break;
            default:
                step.grounds = {"nationality"};  // not a ground of Budapest 31
        }
        if (pick(10) < 6) {
            std::vector<const legal::Transition*> open;
            for (const legal::Transition& t : lc.Transitions()) {
                if (t.side == side_of_actor && t.id != "send" && t.id != "revise" &&
                    std::find(t.from.begin(), t.from.end(), before.state) != t.from.end()) {
                    open.push_back(&t);
                }
            }
            if (!open.empty()) {
                const legal::Transition& t = *open[pick(open.size())];
                name = t.id;
                step = StepInput{name, {}, t.reasons ? "Reasons given." : ""};
                if (t.grounds) {
                    step.grounds = {basis_grounds[pick(basis_grounds.size())]};
                }
            }
        }
        // Approving and returning a draft are the approver's; revising takes a new request
        // (Revise).
        const Actor& actor =
            side == 1 ? dora_ : (name == "approve" || name == "return" ? bob_ : alice_);

        const legal::Transition* t = lc.Find(name);
        bool valid = t != nullptr && t->side == side_of_actor && name != "send" &&
                     name != "revise" &&
                     std::find(t->from.begin(), t->from.end(), before.state) != t->from.end();
        if (valid && t->grounds) {
            valid =
                !step.grounds.empty() &&
                std::all_of(step.grounds.begin(), step.grounds.end(), [&](const std::string& g) {
                    return std::find(basis_grounds.begin(), basis_grounds.end(), g) !=
                           basis_grounds.end();
                });
        } else if (valid) {
            valid = step.grounds.empty();
        }
        if (valid && t->reasons) {
            valid = !step.reasons.empty();
        }

        auto result = node.cases->Transition(actor, id, step);
        if (valid) {
            ASSERT_TRUE(result) << name << " from " << before.state << ": "
                                << result.error().message;
            m.state = name == "approve" ? "sent" : (t->to.empty() ? before.state : t->to);
            ++valid_steps;
        } else {
            ASSERT_FALSE(result) << name << " from " << before.state << " was taken";
            EXPECT_TRUE(
                legal::StepRuleOf(result.error()).has_value() ||
                result.error().code == ErrorCode::kPermissionDenied
            ) << result.error().message;
            EXPECT_EQ(Take(node, actor, id), before) << name << " changed the case";
            ++invalid_steps;
        }
        m.last_side = side;

        if (i % 30 == 17) {
            // A node ends and starts again; what it had not yet sent or received waits.
            testing::NodeUnderTest& which = restarts % 2 == 0 ? b_ : a_;
            Close(which);
            ASSERT_TRUE(Open(which));
            ++restarts;
        }
    }

    transport_.SetFaults(0, 0);
    Settle();
    for (ModelCase& m : cases) {
        const Snapshot a = Take(a_, alice_, m.a_id);
        if (m.b_id.empty()) {
            m.b_id = FindIncoming(m.a_id);
        }
        if (m.b_id.empty()) {
            EXPECT_TRUE(
                m.state == "draft" || m.state == "returned" || m.state == "approved" ||
                m.state == "withdrawn"
            );
            EXPECT_EQ(a.state, m.state);
            continue;
        }
        const Snapshot b = Take(b_, dora_, m.b_id);
        EXPECT_EQ(a.state, b.state) << m.a_id;
        EXPECT_EQ(a.version, b.version) << m.a_id;
        EXPECT_TRUE(SameState(m.state, a.state)) << m.state << " vs " << a.state;
        EXPECT_EQ(History(a_, alice_, m.a_id), History(b_, dora_, m.b_id));
        for (const DomainEvent& e : Events(b_, m.b_id)) {
            EXPECT_NE(e.kind, "transition_refused") << "B refused a step A took";
        }
    }
    for (testing::NodeUnderTest* n : {&a_, &b_}) {
        auto tx = n->store->Begin();
        ASSERT_TRUE(tx);
        auto held = (*tx)->Query("SELECT COUNT(*) FROM app_case_held");
        ASSERT_TRUE(held);
        EXPECT_EQ(held->at(0).Int(0), 0) << n->id << " still holds steps";
        (*tx)->Rollback();
    }
    EXPECT_GE(valid_steps, 30);
    EXPECT_GT(invalid_steps, 20);
    EXPECT_EQ(restarts, 5);
}

INSTANTIATE_TEST_SUITE_P(
    Backends,
    CaseModelTest,
    ::testing::Values("sqlite", "postgres"),
    [](const auto& param_info) { return std::string(param_info.param); }
);

}  // namespace
}  // namespace concord::app
