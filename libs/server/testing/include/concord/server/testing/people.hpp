#pragma once

#include <string>
#include <vector>

#include "concord/core/result.hpp"
#include "concord/server/testing/api_client.hpp"

namespace concord::server::testing {

/// A person to enrol on a node (POST /api/v1/users).
struct NewPerson {
    std::string login;
    std::string display_name;
    std::vector<std::string> roles;  ///< role names (docs/people.md)
    std::string unit;
};

/// What enrolling a person answers once: the one-time password and the TOTP secret.
struct Enrolment {
    std::string password;
    std::string totp_secret;  ///< base32
    std::string otpauth_uri;
};

/// Enrols `person` with the node's token (POST /api/v1/users, as an administrator would).
/// kUnavailable with the node's answer when refused.
Result<Enrolment> Enrol(ApiClient& node_api, const NewPerson& person);

/// Enrols `person` with the node's token (as an administrator would), signs in with the one-time
/// password and a TOTP code computed from the enrolment secret (POST /api/v1/session), and
/// creates the person's own personal token for all their roles (POST /api/v1/tokens with the
/// session cookie and its CSRF token). Returns that token (`cpt_…`). kUnavailable or
/// kUnauthenticated naming the step that was refused, with the node's answer.
Result<std::string> EnrolAndSignIn(ApiClient& node_api, const NewPerson& person);

}  // namespace concord::server::testing
