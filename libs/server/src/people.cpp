#include "concord/server/people.hpp"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "concord/federation/signed_json.hpp"
#include "concord/server/init.hpp"

namespace concord::server {
namespace {

Error AtKey(const Config& config, std::string_view key, const Error& error) {
    return Error{
        error.code, config.file.string() + ": key '" + std::string(key) + "': " + error.message};
}

}  // namespace

app::PeopleOptions PeopleOptionsFrom(const Config& config) {
    app::PeopleOptions options;
    options.argon2.mem_limit = config.argon2_memory_kib * 1024;
    options.argon2.ops_limit = config.argon2_passes;
    options.max_failed_logins = config.max_failed_logins;
    options.max_concurrent_password_checks = config.max_concurrent_password_checks;
    options.lockout = config.lockout;
    options.session_idle = config.session_idle;
    options.session_absolute = config.session_absolute;
    options.token_max_lifetime = config.token_max_lifetime;
    options.totp_issuer = config.node_id;
    return options;
}

Result<PeopleAdmin> OpenPeopleAdmin(const Config& config) {
    auto passphrase = NodePassphrase(config);
    if (!passphrase) {
        return AtKey(config, "node.passphrase_file", passphrase.error());
    }
    auto keys = LoadNodeKeys(config.key_file, *passphrase);
    if (!keys) {
        return AtKey(config, "node.key_file", keys.error());
    }
    PeopleAdmin admin;
    auto store = store::Store::Open(config.store_url);
    if (!store) {
        return AtKey(config, "node.store", store.error());
    }
    admin.store = std::move(*store);
    CONCORD_RETURN_IF_ERROR(admin.store->Migrate(app::PeopleMigrations()));
    CONCORD_ASSIGN_OR_RETURN(admin.log, ledger::Log::Open(*admin.store));
    ledger::Log* log = admin.log.get();
    // The same leaf bytes as federation::Node::AppendEvent: the canonical JSON of the leaf.
    app::AuditAppender audit = [log](store::Transaction& tx, const boost::json::object& leaf) {
        auto appended = log->Append(tx, ToBytes(federation::CanonicalText(leaf)));
        return appended ? Result<void>() : Result<void>(appended.error());
    };
    CONCORD_ASSIGN_OR_RETURN(
        admin.users,
        app::Users::Create(*admin.store, keys->signing.Seed(), audit, PeopleOptionsFrom(config))
    );
    return admin;
}

}  // namespace concord::server
