#include "concord/app/user_certificate.hpp"

#include <algorithm>
#include <optional>

#include <boost/json/array.hpp>

#include "concord/app/user_keys.hpp"
#include "concord/core/assert.hpp"
#include "concord/core/time.hpp"
#include "concord/federation/directory.hpp"
#include "concord/federation/signed_json.hpp"

#include "approval_json.hpp"

namespace concord::app {
namespace {

using internal::Invalid;

constexpr std::string_view kKind = "user_certificate";
constexpr std::size_t kMaxNameBytes = 200;
constexpr std::size_t kMaxUnitBytes = 200;
constexpr std::size_t kMaxPartyBytes = 32;
constexpr std::int64_t kMaxSerial = 9007199254740991;  // 2^53 - 1: exact as a JSON number

// The roles in the order of kAllRoles (the order certificates list them in).
std::vector<Role> SortedRoles(const std::vector<Role>& roles) {
    std::vector<Role> out;
    for (Role role : kAllRoles) {
        if (std::find(roles.begin(), roles.end(), role) != roles.end()) {
            out.push_back(role);
        }
    }
    return out;
}

boost::json::object ContentObject(const UserCertificate& c) {
    boost::json::object o;
    o["v"] = 1;
    o["kind"] = kKind;
    o["node"] = c.node;
    o["serial"] = c.serial;
    o["user"] = c.user;
    o["name"] = c.name;
    boost::json::array roles;
    for (Role role : SortedRoles(c.roles)) {
        roles.emplace_back(RoleName(role));
    }
    o["roles"] = std::move(roles);
    boost::json::object authority;
    authority["party"] = c.party;
    authority["unit"] = c.unit;
    o["authority"] = std::move(authority);
    o["public_key"] = internal::KeyText(c.public_key);
    o["not_before"] = FormatTimestamp(c.not_before_ms);
    o["not_after"] = FormatTimestamp(c.not_after_ms);
    return o;
}

// Every member but "key" and "sig", under the rules of docs/formats/approval.md.
Result<UserCertificate> ParseContent(const boost::json::object& o) {
    CONCORD_RETURN_IF_ERROR(internal::OnlyMembers(
        o,
        {"v",
         "kind",
         "node",
         "serial",
         "user",
         "name",
         "roles",
         "authority",
         "public_key",
         "not_before",
         "not_after",
         "key",
         "sig"}
    ));
    CONCORD_RETURN_IF_ERROR(internal::CheckVersionAndKind(o, kKind));
    UserCertificate c;
    CONCORD_ASSIGN_OR_RETURN(c.node, federation::GetString(o, "node"));
    if (auto id = federation::CheckNodeId(c.node); !id) {
        return Invalid("field 'node': " + id.error().message);
    }
    CONCORD_ASSIGN_OR_RETURN(c.serial, federation::GetInt(o, "serial"));
    if (c.serial < 1 || c.serial > kMaxSerial) {
        return Invalid("field 'serial': must be 1 to 2^53-1");
    }
    CONCORD_ASSIGN_OR_RETURN(c.user, federation::GetString(o, "user"));
    if (auto login = CheckLogin(c.user); !login) {
        return Invalid("field 'user': " + login.error().message);
    }
    CONCORD_ASSIGN_OR_RETURN(c.name, internal::GetText(o, "name", kMaxNameBytes));
    CONCORD_ASSIGN_OR_RETURN(const boost::json::array* roles, federation::GetArray(o, "roles"));
    if (roles->empty() || roles->size() > kAllRoles.size()) {
        return Invalid("field 'roles': must hold 1 to 7 roles");
    }
    for (const auto& value : *roles) {
        if (!value.is_string()) {
            return Invalid("field 'roles': expected role names");
        }
        auto role = ParseRole(value.as_string());
        if (!role) {
            return Invalid("field 'roles': " + role.error().message);
        }
        if (c.Has(*role)) {
            return Invalid("field 'roles': role '" + std::string(RoleName(*role)) + "' twice");
        }
        c.roles.push_back(*role);
    }
    CONCORD_ASSIGN_OR_RETURN(
        const boost::json::object* authority, federation::GetObject(o, "authority")
    );
    if (auto only = internal::OnlyMembers(*authority, {"party", "unit"}); !only) {
        return Invalid("field 'authority': " + only.error().message);
    }
    CONCORD_ASSIGN_OR_RETURN(c.party, internal::GetText(*authority, "party", kMaxPartyBytes));
    CONCORD_ASSIGN_OR_RETURN(c.unit, internal::GetText(*authority, "unit", kMaxUnitBytes, true));
    CONCORD_ASSIGN_OR_RETURN(c.public_key, internal::GetPublicKey(o, "public_key"));
    CONCORD_ASSIGN_OR_RETURN(c.not_before_ms, internal::GetTimestamp(o, "not_before"));
    CONCORD_ASSIGN_OR_RETURN(c.not_after_ms, internal::GetTimestamp(o, "not_after"));
    if (c.not_after_ms <= c.not_before_ms) {
        return Invalid("field 'not_after': must be later than 'not_before'");
    }
    return c;
}

bool SaysTheSame(
    const UserCertificate& c,
    const CertifierOptions& options,
    const CertifiedUser& user,
    const crypto::PublicKey& key
) {
    return c.node == options.node_id && c.party == options.party && c.user == user.login &&
           c.name == user.name && c.unit == user.unit && c.public_key == key &&
           SortedRoles(c.roles) == SortedRoles(user.roles);
}

std::string Schema(const std::string& integer, const std::string& serial) {
    return "CREATE TABLE app_user_certificates (serial " + serial +
           ", login TEXT NOT NULL, certificate TEXT NOT NULL, not_before_ms " + integer +
           " NOT NULL, not_after_ms " + integer + " NOT NULL, revoked_ms " + integer +
           ");"
           "CREATE INDEX app_user_certificates_login ON app_user_certificates (login, serial)";
}

}  // namespace

bool UserCertificate::Has(Role role) const {
    return std::find(roles.begin(), roles.end(), role) != roles.end();
}

bool UserCertificate::ValidAt(std::int64_t unix_ms) const {
    return not_before_ms <= unix_ms && unix_ms < not_after_ms;
}

Result<std::string> SignUserCertificate(
    const UserCertificate& certificate, const crypto::SigningKey& node_key
) {
    boost::json::object content = ContentObject(certificate);
    CONCORD_RETURN_IF_ERROR(ParseContent(content));
    return federation::SignObject(std::move(content), kUserCertificateDomain, node_key);
}

Result<ParsedUserCertificate> ParseUserCertificate(const boost::json::object& object) {
    ParsedUserCertificate parsed;
    CONCORD_ASSIGN_OR_RETURN(parsed.certificate, ParseContent(object));
    CONCORD_ASSIGN_OR_RETURN(parsed.issuer_key, internal::GetPublicKey(object, "key"));
    CONCORD_ASSIGN_OR_RETURN(std::string sig, federation::GetString(object, "sig"));
    parsed.object = object;
    return parsed;
}

Result<ParsedUserCertificate> ParseUserCertificate(std::string_view text) {
    if (text.size() > kMaxCertificateBytes) {
        return Invalid(
            "certificate larger than " + std::to_string(kMaxCertificateBytes) + " bytes"
        );
    }
    CONCORD_ASSIGN_OR_RETURN(boost::json::object object, federation::ParseObject(text));
    return ParseUserCertificate(object);
}

Result<void> VerifyUserCertificateSignature(
    const ParsedUserCertificate& parsed, const crypto::PublicKey& node_key
) {
    if (!(parsed.issuer_key == node_key)) {
        return MakeError(
            ErrorCode::kUnauthenticated,
            "certificate is signed by a key that is not node '" + parsed.certificate.node + "''s"
        );
    }
    return federation::VerifyObjectWithKey(parsed.object, kUserCertificateDomain, node_key);
}

std::vector<store::Migration> UserCertifier::Migrations() {
    return {store::Migration{
        "app_user_certificates",
        1,
        Schema("INTEGER", "INTEGER PRIMARY KEY"),
        Schema("BIGINT", "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY")}};
}

Result<UserCertifier> UserCertifier::Create(
    const crypto::SigningKey& node_key, CertifierOptions options
) {
    if (auto id = federation::CheckNodeId(options.node_id); !id) {
        return Invalid("certifier node id: " + id.error().message);
    }
    if (options.party.empty() || options.party.size() > kMaxPartyBytes) {
        return Invalid("certifier party must be 1 to 32 characters");
    }
    if (options.validity.count() <= 0 || options.validity > kMaxCertificateValidity) {
        return Invalid("certificate validity must be positive and at most 7 days");
    }
    if (options.renew_before.count() < 0 || options.renew_before >= options.validity) {
        return Invalid("certificate renew_before must be at least 0 and below the validity");
    }
    CONCORD_ASSIGN_OR_RETURN(
        crypto::SigningKey key, crypto::SigningKey::FromSeed(node_key.Seed().Span())
    );
    return UserCertifier(std::move(key), std::move(options));
}

Result<IssuedCertificate> UserCertifier::Issue(
    store::Transaction& tx,
    const CertifiedUser& user,
    const crypto::PublicKey& key,
    std::int64_t now_ms
) const {
    UserCertificate c;
    c.node = options_.node_id;
    c.user = user.login;
    c.name = user.name;
    c.roles = SortedRoles(user.roles);
    c.party = options_.party;
    c.unit = user.unit;
    c.public_key = key;
    c.not_before_ms = now_ms;
    c.not_after_ms = now_ms + options_.validity.count();
    c.serial = 1;  // checked with a placeholder serial before a row is taken
    CONCORD_RETURN_IF_ERROR(ParseContent(ContentObject(c)));
    CONCORD_ASSIGN_OR_RETURN(
        auto rows,
        tx.Query(
            "INSERT INTO app_user_certificates (login, certificate, not_before_ms, not_after_ms)"
            " VALUES ($1, '', $2, $3) RETURNING serial",
            {c.user, c.not_before_ms, c.not_after_ms}
        )
    );
    CONCORD_ASSERT(rows.size() == 1);
    c.serial = rows.front().Int(0);
    CONCORD_ASSIGN_OR_RETURN(std::string text, SignUserCertificate(c, key_));
    CONCORD_RETURN_IF_ERROR(tx.Execute(
        "UPDATE app_user_certificates SET certificate = $1 WHERE serial = $2", {text, c.serial}
    ));
    return IssuedCertificate{std::move(c), std::move(text)};
}

Result<IssuedCertificate> UserCertifier::CertificateFor(
    store::Transaction& tx,
    const CertifiedUser& user,
    const crypto::PublicKey& key,
    std::int64_t now_ms
) const {
    CONCORD_RETURN_IF_ERROR(CheckLogin(user.login));
    CONCORD_ASSIGN_OR_RETURN(
        auto rows,
        tx.Query(
            "SELECT serial, certificate FROM app_user_certificates"
            " WHERE login = $1 AND revoked_ms IS NULL AND not_after_ms > $2 ORDER BY serial DESC",
            {user.login, now_ms}
        )
    );
    std::optional<IssuedCertificate> current;
    for (const auto& row : rows) {
        auto parsed = ParseUserCertificate(row.Text(1));
        if (!parsed) {
            return MakeError(
                ErrorCode::kCorruption,
                "stored certificate " + std::to_string(row.Int(0)) + ": " + parsed.error().message
            );
        }
        const UserCertificate& c = parsed->certificate;
        if (!SaysTheSame(c, options_, user, key)) {
            CONCORD_RETURN_IF_ERROR(tx.Execute(
                "UPDATE app_user_certificates SET revoked_ms = $1 WHERE serial = $2",
                {now_ms, c.serial}
            ));
        } else if (!current && c.ValidAt(now_ms) && c.not_after_ms - now_ms > options_.renew_before.count()) {
            current = IssuedCertificate{c, row.Text(1)};
        }
    }
    if (current) {
        return std::move(*current);
    }
    return Issue(tx, user, key, now_ms);
}

Result<std::int64_t> UserCertifier::RevokeUser(
    store::Transaction& tx, std::string_view login, std::int64_t now_ms
) const {
    CONCORD_RETURN_IF_ERROR(CheckLogin(login));
    return tx.Execute(
        "UPDATE app_user_certificates SET revoked_ms = $1 WHERE login = $2 AND revoked_ms IS NULL",
        {now_ms, std::string(login)}
    );
}

Result<bool> UserCertifier::IsRevoked(store::Transaction& tx, std::int64_t serial) const {
    CONCORD_ASSIGN_OR_RETURN(
        auto rows,
        tx.Query("SELECT revoked_ms FROM app_user_certificates WHERE serial = $1", {serial})
    );
    if (rows.empty()) {
        return MakeError(
            ErrorCode::kNotFound, "no certificate " + std::to_string(serial) + " was issued here"
        );
    }
    return !rows.front().IsNull(0);
}

Result<std::vector<RevokedCertificate>> UserCertifier::RevocationList(
    store::Transaction& tx, std::int64_t now_ms
) const {
    CONCORD_ASSIGN_OR_RETURN(
        auto rows,
        tx.Query(
            "SELECT serial, login, not_after_ms, revoked_ms FROM app_user_certificates"
            " WHERE revoked_ms IS NOT NULL AND not_after_ms > $1 ORDER BY serial",
            {now_ms}
        )
    );
    std::vector<RevokedCertificate> out;
    out.reserve(rows.size());
    for (const auto& row : rows) {
        out.push_back({row.Int(0), row.Text(1), row.Int(2), row.Int(3)});
    }
    return out;
}

}  // namespace concord::app
