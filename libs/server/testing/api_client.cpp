#include "concord/server/testing/api_client.hpp"

#include <span>
#include <thread>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "concord/core/bytes.hpp"
#include "concord/crypto/base64.hpp"
#include "concord/federation/envelope.hpp"
#include "concord/federation/signed_json.hpp"
#include "concord/ledger/note.hpp"
#include "concord/ledger/proof_file.hpp"

namespace concord::server::testing {
namespace {

using Clock = std::chrono::steady_clock;

Result<ApiReply> ToReply(Result<net::Response> r) {
    if (!r) {
        return tl::unexpected(r.error());
    }
    ApiReply out;
    out.status = r->status;
    out.body = std::move(r->body);
    boost::system::error_code ec;
    auto value = boost::json::parse(out.body, ec);
    if (!ec && value.is_object()) {
        out.json = std::move(value.as_object());
    }
    return out;
}

Error HttpError(const std::string& what, const ApiReply& r) {
    return MakeError(
        ErrorCode::kUnavailable, what + ": HTTP " + std::to_string(r.status) + " " + r.body
    );
}

}  // namespace

std::string ApiReply::ErrorCodeName() const {
    const auto* error = json.if_contains("error");
    if (error == nullptr || !error->is_object()) {
        return "";
    }
    const auto* code = error->as_object().if_contains("code");
    return code != nullptr && code->is_string() ? std::string(code->as_string()) : "";
}

ApiClient::ApiClient(
    std::string base_url,
    std::string token,
    std::string tls_sha256,
    std::chrono::milliseconds timeout,
    std::string federation_url
)
    : base_url_(std::move(base_url)),
      federation_url_(federation_url.empty() ? base_url_ : std::move(federation_url)),
      token_(std::move(token)),
      tls_sha256_(std::move(tls_sha256)),
      timeout_(timeout),
      client_(NewClient()) {}

net::ClientOptions ApiClient::Options() const {
    net::ClientOptions o;
    o.pinned_cert_sha256 = tls_sha256_;
    o.timeout = timeout_;
    return o;
}

std::unique_ptr<net::HttpClient> ApiClient::NewClient() const {
    return std::make_unique<net::HttpClient>(Options());
}

Result<ApiReply> ApiClient::Call(
    std::string_view method, const std::string& path, std::string_view body, net::HttpClient* client
) {
    net::HttpClient& c = client != nullptr ? *client : *client_;
    return ToReply(c.Send(
        method,
        base_url_ + path,
        body,
        {{"Authorization", "Bearer " + token_}, {"Content-Type", "application/json"}}
    ));
}

Result<ApiReply> ApiClient::Plain(
    std::string_view method, const std::string& path, std::string_view body, net::HttpClient* client
) {
    net::HttpClient& c = client != nullptr ? *client : *client_;
    return ToReply(
        c.Send(method, federation_url_ + path, body, {{"Content-Type", "application/json"}})
    );
}

Result<std::string> ApiClient::Submit(const Submission& message, net::HttpClient* client) {
    boost::json::object submit;
    submit["to"] = message.to;
    submit["type"] = message.type;
    submit["priority"] = message.priority;
    if (!message.in_reply_to.empty()) {
        submit["in_reply_to"] = message.in_reply_to;
    }
    submit["body"] = message.body;
    CONCORD_ASSIGN_OR_RETURN(
        ApiReply r, Call("POST", "/api/v1/messages", boost::json::serialize(submit), client)
    );
    if (r.status != 201) {
        return HttpError("submit to " + message.to, r);
    }
    return federation::GetString(r.json, "id");
}

Result<boost::json::object> ApiClient::Message(std::string_view box, const std::string& id) {
    CONCORD_ASSIGN_OR_RETURN(
        ApiReply r, Call("GET", "/api/v1/messages/" + id + "?box=" + std::string(box))
    );
    if (r.status != 200) {
        return HttpError("message " + id, r);
    }
    return std::move(r.json);
}

Result<boost::json::object> ApiClient::WaitDelivered(
    const std::string& id, std::chrono::milliseconds limit
) {
    const auto deadline = Clock::now() + limit;
    std::string last = "not read";
    for (;;) {
        auto message = Message("outbox", id);
        if (message) {
            last = federation::GetString(*message, "status").value_or("");
            if (last == "delivered") {
                return std::move(*message);
            }
        } else {
            last = message.error().message;
        }
        if (Clock::now() >= deadline) {
            std::string why = "message " + id;
            why += " not delivered in time: ";
            why += last;
            return MakeError(ErrorCode::kUnavailable, why);
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
}

Result<std::unique_ptr<net::EventStreamClient>> ApiClient::Events(
    std::function<void(const net::Event&)> on_event
) const {
    return net::EventStreamClient::Connect(
        base_url_ + "/api/v1/events",
        Options(),
        {{"Authorization", "Bearer " + token_}},
        std::move(on_event)
    );
}

Result<std::uint64_t> VerifyDelivery(
    const boost::json::object& message, const federation::NodeEntry& receiver
) {
    CONCORD_ASSIGN_OR_RETURN(
        const boost::json::array* evidence, federation::GetArray(message, "evidence")
    );
    CONCORD_ASSIGN_OR_RETURN(std::string hash, federation::GetString(message, "envelope_sha256"));
    CONCORD_ASSIGN_OR_RETURN(std::string id, federation::GetString(message, "id"));
    std::optional<federation::Evidence> receipt;
    for (const auto& e : *evidence) {
        if (!e.is_string()) {
            continue;
        }
        auto verified = federation::VerifyEvidence(e.as_string(), receiver.signing_key);
        if (verified && verified->event == "delivery") {
            receipt = *verified;
        }
    }
    if (!receipt || receipt->envelope_sha256 != hash || receipt->message_id != id ||
        receipt->from != receiver.id || !receipt->ledger_index) {
        return MakeError(
            ErrorCode::kUnauthenticated, "no valid delivery receipt from " + receiver.id
        );
    }
    CONCORD_ASSIGN_OR_RETURN(
        std::string proof_text, federation::GetString(message, "receiver_proof")
    );
    CONCORD_ASSIGN_OR_RETURN(
        std::string leaf_text, federation::GetString(message, "receiver_leaf")
    );
    CONCORD_ASSIGN_OR_RETURN(ledger::TlogProof proof, ledger::ParseTlogProof(proof_text));
    CONCORD_ASSIGN_OR_RETURN(Bytes leaf, crypto::Base64Decode(leaf_text));
    CONCORD_ASSIGN_OR_RETURN(
        boost::json::object leaf_object, federation::ParseObject(ToString(leaf))
    );
    CONCORD_ASSIGN_OR_RETURN(
        std::string leaf_hash, federation::GetString(leaf_object, "envelope_sha256")
    );
    if (leaf_hash != hash || proof.index != *receipt->ledger_index) {
        return MakeError(ErrorCode::kUnauthenticated, "the proof is not for this envelope's entry");
    }
    const auto key =
        ledger::MakeVerifier(receiver.id, ledger::NoteKeyType::kEd25519, receiver.signing_key);
    CONCORD_RETURN_IF_ERROR(
        ledger::VerifyTlogProof(proof, leaf, std::span(&key, 1), std::string_view(receiver.id))
    );
    return *receipt->ledger_index;
}

}  // namespace concord::server::testing
