#include "concord/legal/lifecycle.hpp"

#include <algorithm>
#include <array>
#include <deque>
#include <initializer_list>
#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "toml_reader.hpp"

namespace concord::legal {
namespace {

using detail::TomlReader;

constexpr std::array<std::string_view, 8> kRuleNames = {
    "unknown_transition",
    "wrong_side",
    "wrong_state",
    "consult_first",
    "grounds_missing",
    "ground_not_allowed",
    "reasons_missing",
    "self_approval"};

bool Contains(const std::vector<std::string>& list, std::string_view value) {
    return std::find(list.begin(), list.end(), value) != list.end();
}

// Ids are what the store, the wire and the API carry: lower-case words joined by '_'.
bool IsId(std::string_view id) {
    if (id.empty() || id.size() > 64) {
        return false;
    }
    return std::all_of(id.begin(), id.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || c == '_';
    });
}

Result<void> OnlyKeys(
    const TomlReader& r, const toml::table& t, std::initializer_list<std::string_view> allowed
) {
    for (const auto& [key, node] : t) {
        if (std::find(allowed.begin(), allowed.end(), key.str()) == allowed.end()) {
            return r.Fail(node, fmt::format("unknown key '{}'", key.str()));
        }
    }
    return {};
}

Result<std::string> ReadId(const TomlReader& r, const toml::table& t, std::string_view what) {
    CONCORD_ASSIGN_OR_RETURN(std::string id, r.String(t, "id", true));
    if (!IsId(id)) {
        return r.Fail(t, fmt::format("{} id '{}' must be 1-64 of a-z and _", what, id));
    }
    return id;
}

Result<void> ReadStates(
    const TomlReader& r, const toml::table& root, std::vector<LifecycleState>& out
) {
    CONCORD_ASSIGN_OR_RETURN(auto tables, r.Tables(root, "state"));
    if (tables.empty()) {
        return r.Fail(root, "no [[state]]");
    }
    for (const toml::table* t : tables) {
        CONCORD_RETURN_IF_ERROR(OnlyKeys(r, *t, {"id", "final"}));
        LifecycleState s;
        CONCORD_ASSIGN_OR_RETURN(s.id, ReadId(r, *t, "state"));
        CONCORD_ASSIGN_OR_RETURN(s.final, r.Bool(*t, "final", false));
        for (const LifecycleState& known : out) {
            if (known.id == s.id) {
                return r.Fail(*t, fmt::format("state '{}' listed twice", s.id));
            }
        }
        out.push_back(std::move(s));
    }
    return {};
}

Result<Transition> ReadTransition(
    const TomlReader& r, const toml::table& t, const std::vector<LifecycleState>& states
) {
    CONCORD_RETURN_IF_ERROR(
        OnlyKeys(r, t, {"id", "from", "to", "side", "crosses", "grounds", "reasons"})
    );
    auto known = [&](std::string_view id) -> const LifecycleState* {
        for (const LifecycleState& s : states) {
            if (s.id == id) {
                return &s;
            }
        }
        return nullptr;
    };
    Transition tr;
    CONCORD_ASSIGN_OR_RETURN(tr.id, ReadId(r, t, "transition"));
    CONCORD_ASSIGN_OR_RETURN(tr.from, r.Strings(t, "from"));
    if (tr.from.empty()) {
        return r.Fail(t, fmt::format("transition '{}': 'from' names no state", tr.id));
    }
    for (const std::string& s : tr.from) {
        const LifecycleState* state = known(s);
        if (state == nullptr) {
            return r.Fail(t, fmt::format("transition '{}': unknown state '{}'", tr.id, s));
        }
    }
    CONCORD_ASSIGN_OR_RETURN(tr.to, r.String(t, "to", false));
    if (!tr.to.empty() && known(tr.to) == nullptr) {
        return r.Fail(t, fmt::format("transition '{}': unknown state '{}'", tr.id, tr.to));
    }
    // A step that keeps the state (no `to`) may be taken in a final state: it does not leave it.
    for (const std::string& s : tr.from) {
        if (known(s)->final && !tr.to.empty()) {
            return r.Fail(t, fmt::format("transition '{}' leaves final state '{}'", tr.id, s));
        }
    }
    CONCORD_ASSIGN_OR_RETURN(std::string side, r.String(t, "side", true));
    auto parsed = SideNamed(side);
    if (!parsed) {
        return r.Fail(
            t,
            fmt::format(
                "transition '{}': side '{}' is not requesting, requested, system or both",
                tr.id,
                side
            )
        );
    }
    tr.side = *parsed;
    CONCORD_ASSIGN_OR_RETURN(tr.crosses, r.Bool(t, "crosses", false));
    CONCORD_ASSIGN_OR_RETURN(tr.grounds, r.Bool(t, "grounds", false));
    CONCORD_ASSIGN_OR_RETURN(tr.reasons, r.Bool(t, "reasons", false));
    if (tr.side == Side::kSystem && (tr.crosses || tr.grounds || tr.reasons)) {
        return r.Fail(
            t,
            fmt::format(
                "transition '{}': a system transition neither crosses nor takes grounds or "
                "reasons",
                tr.id
            )
        );
    }
    return tr;
}

Result<LifecycleOverride> ReadOverride(
    const TomlReader& r,
    const toml::table& t,
    const std::vector<Transition>& transitions,
    const Catalog* catalog
) {
    CONCORD_RETURN_IF_ERROR(OnlyKeys(r, t, {"instrument", "request_type", "cite", "restrict"}));
    LifecycleOverride o;
    CONCORD_ASSIGN_OR_RETURN(o.instrument, r.String(t, "instrument", true));
    CONCORD_ASSIGN_OR_RETURN(o.request_type, r.String(t, "request_type", false));
    CONCORD_ASSIGN_OR_RETURN(o.cite, r.String(t, "cite", true));
    if (catalog != nullptr) {
        if (!catalog->instruments.contains(o.instrument)) {
            return r.Fail(t, fmt::format("unknown instrument '{}'", o.instrument));
        }
        if (!o.request_type.empty() && !catalog->request_types.contains(o.request_type)) {
            return r.Fail(t, fmt::format("unknown request type '{}'", o.request_type));
        }
        if (catalog->FindCitation(o.cite) == nullptr) {
            return r.Fail(t, fmt::format("citation '{}' names no known article", o.cite));
        }
    }
    CONCORD_ASSIGN_OR_RETURN(auto restricts, r.Tables(t, "restrict"));
    if (restricts.empty()) {
        return r.Fail(t, "override restricts nothing");
    }
    for (const toml::table* rt : restricts) {
        CONCORD_RETURN_IF_ERROR(OnlyKeys(r, *rt, {"transition", "from"}));
        LifecycleRestriction restriction;
        CONCORD_ASSIGN_OR_RETURN(restriction.transition, r.String(*rt, "transition", true));
        CONCORD_ASSIGN_OR_RETURN(restriction.from, r.Strings(*rt, "from"));
        auto it = std::find_if(transitions.begin(), transitions.end(), [&](const Transition& x) {
            return x.id == restriction.transition;
        });
        if (it == transitions.end()) {
            return r.Fail(*rt, fmt::format("unknown transition '{}'", restriction.transition));
        }
        if (restriction.from.empty()) {
            return r.Fail(*rt, "a restriction must leave at least one state");
        }
        for (const std::string& s : restriction.from) {
            if (!Contains(it->from, s)) {
                return r.Fail(
                    *rt,
                    fmt::format(
                        "restriction of '{}' widens it: '{}' is not one of its states",
                        restriction.transition,
                        s
                    )
                );
            }
        }
        o.restrictions.push_back(std::move(restriction));
    }
    return o;
}

// Every state must be reachable from the initial one, and every state that is not final must
// have a way out.
Result<void> CheckGraph(const TomlReader& r, const toml::table& root, const Lifecycle& lc) {
    std::set<std::string> reached = {lc.Initial()};
    std::deque<std::string> queue = {lc.Initial()};
    while (!queue.empty()) {
        std::string state = queue.front();
        queue.pop_front();
        for (const Transition& t : lc.Transitions()) {
            if (!t.to.empty() && Contains(t.from, state) && reached.insert(t.to).second) {
                queue.push_back(t.to);
            }
        }
    }
    for (const LifecycleState& s : lc.States()) {
        if (!reached.contains(s.id)) {
            return r.Fail(
                root, fmt::format("state '{}' cannot be reached from '{}'", s.id, lc.Initial())
            );
        }
        if (s.final) {
            continue;
        }
        bool way_out = false;
        for (const Transition& t : lc.Transitions()) {
            way_out = way_out || (!t.to.empty() && t.to != s.id && Contains(t.from, s.id));
        }
        if (!way_out) {
            return r.Fail(
                root, fmt::format("state '{}' is not final but no transition leaves it", s.id)
            );
        }
    }
    return {};
}

}  // namespace

std::string_view SideName(Side side) {
    switch (side) {
        case Side::kRequesting:
            return "requesting";
        case Side::kRequested:
            return "requested";
        case Side::kSystem:
            return "system";
        case Side::kBoth:
            return "both";
    }
    return "unknown";
}

std::optional<Side> SideNamed(std::string_view name) {
    for (Side s : {Side::kRequesting, Side::kRequested, Side::kSystem, Side::kBoth}) {
        if (SideName(s) == name) {
            return s;
        }
    }
    return std::nullopt;
}

std::string_view StepRuleName(StepRule rule) {
    return kRuleNames.at(static_cast<std::size_t>(rule));
}

std::optional<StepRule> StepRuleOf(const Error& error) {
    if (error.code != ErrorCode::kInvalidArgument) {
        return std::nullopt;
    }
    const std::string_view message = error.message;
    for (std::size_t i = 0; i < kRuleNames.size(); ++i) {
        const std::string_view name = kRuleNames.at(i);
        if (message.size() > name.size() && message.starts_with(name) &&
            message[name.size()] == ':') {
            return static_cast<StepRule>(i);
        }
    }
    return std::nullopt;
}

Error StepError(StepRule rule, std::string_view detail) {
    return MakeError(
        ErrorCode::kInvalidArgument,
        fmt::format("{}: {}", StepRuleName(rule), detail),
        std::string(StepRuleName(rule))
    );
}

Result<Lifecycle> Lifecycle::Load(const std::filesystem::path& file, const Catalog* catalog) {
    TomlReader r(file);
    CONCORD_ASSIGN_OR_RETURN(toml::table root, r.Parse());
    CONCORD_RETURN_IF_ERROR(OnlyKeys(r, root, {"initial", "state", "transition", "override"}));
    Lifecycle lc;
    CONCORD_RETURN_IF_ERROR(ReadStates(r, root, lc.states_));
    CONCORD_ASSIGN_OR_RETURN(lc.initial_, r.String(root, "initial", true));
    const LifecycleState* initial = lc.FindState(lc.initial_);
    if (initial == nullptr) {
        return r.Fail(root, fmt::format("initial state '{}' is not a [[state]]", lc.initial_));
    }
    CONCORD_ASSIGN_OR_RETURN(auto transitions, r.Tables(root, "transition"));
    for (const toml::table* t : transitions) {
        CONCORD_ASSIGN_OR_RETURN(Transition tr, ReadTransition(r, *t, lc.states_));
        if (lc.Find(tr.id) != nullptr) {
            return r.Fail(*t, fmt::format("transition '{}' listed twice", tr.id));
        }
        lc.transitions_.push_back(std::move(tr));
    }
    CONCORD_RETURN_IF_ERROR(CheckGraph(r, root, lc));
    CONCORD_ASSIGN_OR_RETURN(auto overrides, r.Tables(root, "override"));
    for (const toml::table* t : overrides) {
        CONCORD_ASSIGN_OR_RETURN(
            LifecycleOverride o, ReadOverride(r, *t, lc.transitions_, catalog)
        );
        for (const LifecycleOverride& known : lc.overrides_) {
            if (known.instrument == o.instrument && known.request_type == o.request_type) {
                return r.Fail(*t, "a second override for the same instrument and request type");
            }
        }
        lc.overrides_.push_back(std::move(o));
    }
    return lc;
}

const Transition* Lifecycle::Find(std::string_view transition) const {
    for (const Transition& t : transitions_) {
        if (t.id == transition) {
            return &t;
        }
    }
    return nullptr;
}

const LifecycleState* Lifecycle::FindState(std::string_view state) const {
    for (const LifecycleState& s : states_) {
        if (s.id == state) {
            return &s;
        }
    }
    return nullptr;
}

std::vector<std::string> Lifecycle::FromStates(
    const Transition& transition, std::string_view instrument, std::string_view request_type
) const {
    // An override for the request type is more specific than one for the whole instrument.
    const LifecycleRestriction* chosen = nullptr;
    bool specific = false;
    for (const LifecycleOverride& o : overrides_) {
        if (o.instrument != instrument ||
            (!o.request_type.empty() && o.request_type != request_type)) {
            continue;
        }
        for (const LifecycleRestriction& r : o.restrictions) {
            if (r.transition == transition.id && (chosen == nullptr || !specific)) {
                chosen = &r;
                specific = !o.request_type.empty();
            }
        }
    }
    return chosen != nullptr ? chosen->from : transition.from;
}

Result<const Transition*> Lifecycle::Check(const StepRequest& request, const Catalog& catalog)
    const {
    const Transition* t = Find(request.transition);
    if (t == nullptr) {
        return StepError(
            StepRule::kUnknownTransition, fmt::format("no transition '{}'", request.transition)
        );
    }
    const bool party = request.side == Side::kRequesting || request.side == Side::kRequested;
    if (t->side == Side::kBoth ? !party : t->side != request.side) {
        return StepError(
            StepRule::kWrongSide,
            fmt::format("'{}' is taken by the {} side", t->id, SideName(t->side))
        );
    }
    if (!Contains(t->from, request.state)) {
        return StepError(
            StepRule::kWrongState,
            fmt::format("'{}' is not allowed from state '{}'", t->id, request.state)
        );
    }
    const std::vector<std::string> from = FromStates(*t, request.instrument, request.request_type);
    if (!Contains(from, request.state)) {
        return StepError(
            StepRule::kConsultFirst,
            fmt::format(
                "under '{}', '{}' is allowed only from {}",
                request.instrument,
                t->id,
                fmt::join(from, ", ")
            )
        );
    }
    if (t->grounds && request.grounds.empty()) {
        return StepError(StepRule::kGroundsMissing, fmt::format("'{}' names its grounds", t->id));
    }
    if (!request.grounds.empty()) {
        if (!t->grounds) {
            return StepError(
                StepRule::kGroundNotAllowed, fmt::format("'{}' takes no grounds", t->id)
            );
        }
        const Basis* basis = nullptr;
        if (auto type = catalog.request_types.find(request.request_type);
            type != catalog.request_types.end()) {
            basis = type->second.FindBasis(request.instrument);
        }
        for (const std::string& g : request.grounds) {
            const bool allowed = basis != nullptr ? Contains(basis->refusal_grounds, g)
                                                  : catalog.refusal_grounds.contains(g);
            if (!allowed) {
                return StepError(
                    StepRule::kGroundNotAllowed,
                    fmt::format(
                        "'{}' is not a ground of {} under '{}'",
                        g,
                        request.request_type,
                        request.instrument
                    )
                );
            }
        }
    }
    if (t->reasons && request.reasons.find_first_not_of(" \t\r\n") == std::string_view::npos) {
        return StepError(StepRule::kReasonsMissing, fmt::format("'{}' carries reasons", t->id));
    }
    return t;
}

}  // namespace concord::legal
