#pragma once

#include <memory>

#include "concord/app/people.hpp"
#include "concord/app/users.hpp"
#include "concord/core/result.hpp"
#include "concord/ledger/log.hpp"
#include "concord/server/config.hpp"
#include "concord/store/store.hpp"

namespace concord::server {

/// The [people] settings of `config` (Argon2id cost, lockout, session and token limits), with
/// the node id as the TOTP issuer.
app::PeopleOptions PeopleOptionsFrom(const Config& config);

/// What an administrator on the node host uses to manage users (`concord user ...`): the node's
/// store, its audit log and its users. Audit leaves are appended to the node's log in the same
/// transaction as each change, as the running node does; a running concordd may share the store.
struct PeopleAdmin {
    std::unique_ptr<store::Store> store;
    std::unique_ptr<ledger::Log> log;
    std::unique_ptr<app::Users> users;
};

/// Opens the store of `config`, applies the people migrations, and reads node.key (with
/// node.passphrase_file or CONCORD_PASSPHRASE) for the key that seals TOTP secrets.
/// Errors name the config key at fault.
Result<PeopleAdmin> OpenPeopleAdmin(const Config& config);

}  // namespace concord::server
