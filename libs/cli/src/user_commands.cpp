// concord user add|list|disable|reset-password|reset-2fa: the node administrator manages the
// node's users on the node host, through the node's config (store, node.key for the key that
// seals second-factor secrets, and the audit log).

#include <functional>
#include <iomanip>
#include <memory>

#include "concord/app/actor.hpp"
#include "concord/app/users.hpp"
#include "concord/core/time.hpp"
#include "concord/server/config.hpp"
#include "concord/server/people.hpp"

#include "commands.hpp"

namespace concord::cli {
namespace {

// The administrator at the node host acts as the node itself.
Result<server::PeopleAdmin> Open(const std::string& config_file) {
    CONCORD_ASSIGN_OR_RETURN(server::Config config, server::LoadConfig(config_file));
    return server::OpenPeopleAdmin(config);
}

void PrintEnrolment(std::ostream& out, const app::Enrolment& e) {
    out << "user:              " << e.login << "\n";
    if (!e.password.empty()) {
        out << "one-time password: " << e.password << "\n"
            << "  (shown once; hand it to the user over a separate channel)\n";
    }
    if (!e.otpauth_uri.empty()) {
        out << "TOTP secret:       " << e.totp_secret << "\n"
            << "otpauth URI:       " << e.otpauth_uri << "\n"
            << "Scan with an authenticator app (shown once):\n"
            << e.qr_terminal;
    }
}

void AddAdd(CLI::App& user, Context& ctx) {
    auto config = std::make_shared<std::string>();
    auto u = std::make_shared<app::NewUser>();
    auto roles = std::make_shared<std::vector<std::string>>();
    CLI::App* add = user.add_subcommand(
        "add", "add a user: prints a one-time password and the second-factor enrolment"
    );
    add->add_option("--config", *config, "the node's config.toml")->required();
    add->add_option("--login", u->login, "login name ([a-z0-9._-], 1-64)")->required();
    add->add_option("--name", u->display_name, "display name")->required();
    add->add_option("--unit", u->unit, "unit ([a-z0-9._-], 1-64)")->required();
    add->add_option(
           "--role",
           *roles,
           "officer, approver, duty_officer, responder, auditor, statistician, administrator"
    )
        ->required();
    add->callback([&ctx, config, u, roles] {
        Finish(ctx, [&]() -> Result<void> {
            for (const auto& name : *roles) {
                CONCORD_ASSIGN_OR_RETURN(app::Role role, app::ParseRole(name));
                u->roles.push_back(role);
            }
            CONCORD_ASSIGN_OR_RETURN(auto admin, Open(*config));
            CONCORD_ASSIGN_OR_RETURN(auto enrolment, admin.users->Add(app::Actor::Node(), *u));
            PrintEnrolment(ctx.out, enrolment);
            return {};
        }());
    });
}

void AddList(CLI::App& user, Context& ctx) {
    auto config = std::make_shared<std::string>();
    CLI::App* list = user.add_subcommand("list", "list the node's users");
    list->add_option("--config", *config, "the node's config.toml")->required();
    list->callback([&ctx, config] {
        Finish(ctx, [&]() -> Result<void> {
            CONCORD_ASSIGN_OR_RETURN(auto admin, Open(*config));
            CONCORD_ASSIGN_OR_RETURN(auto users, admin.users->List(app::Actor::Node()));
            const std::int64_t now = NowMillis();
            ctx.out << std::left << std::setw(20) << "LOGIN" << std::setw(16) << "UNIT"
                    << std::setw(10) << "STATE"
                    << "ROLES\tNAME\n";
            for (const auto& u : users) {
                const char* state = u.disabled                ? "disabled"
                                    : u.locked_until_ms > now ? "locked"
                                                              : "active";
                ctx.out << std::left << std::setw(20) << u.login << std::setw(16) << u.unit
                        << std::setw(10) << state << app::JoinRoles(u.roles) << "\t"
                        << u.display_name << "\n";
            }
            return {};
        }());
    });
}

// disable, reset-password, reset-2fa: one login each.
void AddOnLogin(
    CLI::App& user,
    Context& ctx,
    const std::string& name,
    const std::string& description,
    std::function<Result<void>(app::Users&, const std::string&, std::ostream&)> action
) {
    auto config = std::make_shared<std::string>();
    auto login = std::make_shared<std::string>();
    CLI::App* cmd = user.add_subcommand(name, description);
    cmd->add_option("--config", *config, "the node's config.toml")->required();
    cmd->add_option("login", *login, "the user's login")->required();
    cmd->callback([&ctx, config, login, action] {
        Finish(ctx, [&]() -> Result<void> {
            CONCORD_ASSIGN_OR_RETURN(auto admin, Open(*config));
            return action(*admin.users, *login, ctx.out);
        }());
    });
}

}  // namespace

void AddUserCommands(CLI::App& app, Context& ctx) {
    CLI::App* user = app.add_subcommand("user", "manage the node's users (on the node host)");
    user->require_subcommand(1);
    AddAdd(*user, ctx);
    AddList(*user, ctx);
    AddOnLogin(
        *user,
        ctx,
        "disable",
        "disable a user: their sessions end and their active tokens are revoked",
        [](app::Users& users, const std::string& login, std::ostream& out) -> Result<void> {
            CONCORD_RETURN_IF_ERROR(users.Disable(app::Actor::Node(), login));
            out << "disabled " << login << "\n";
            return {};
        }
    );
    AddOnLogin(
        *user,
        ctx,
        "enable",
        "let a disabled user sign in again (their revoked tokens stay revoked)",
        [](app::Users& users, const std::string& login, std::ostream& out) -> Result<void> {
            CONCORD_RETURN_IF_ERROR(users.Enable(app::Actor::Node(), login));
            out << "enabled " << login << "\n";
            return {};
        }
    );
    AddOnLogin(
        *user,
        ctx,
        "reset-password",
        "set a new one-time password, clear the lockout, end the sessions",
        [](app::Users& users, const std::string& login, std::ostream& out) -> Result<void> {
            CONCORD_ASSIGN_OR_RETURN(auto e, users.ResetPassword(app::Actor::Node(), login));
            PrintEnrolment(out, e);
            return {};
        }
    );
    AddOnLogin(
        *user,
        ctx,
        "reset-2fa",
        "enrol a new second factor (TOTP) and end the sessions",
        [](app::Users& users, const std::string& login, std::ostream& out) -> Result<void> {
            CONCORD_ASSIGN_OR_RETURN(auto e, users.ResetTotp(app::Actor::Node(), login));
            PrintEnrolment(out, e);
            return {};
        }
    );
}

}  // namespace concord::cli
