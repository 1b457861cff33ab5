// Evidence packages over the local API (docs/cases.md "Evidence"): a draft package of a case,
// files uploaded into it as streams of any size, sealing, the signed manifest, and each file
// downloaded as a stream. Files never pass through memory whole: uploads are encrypted chunk by
// chunk into the blob folder as they arrive, downloads are decrypted and authenticated chunk by
// chunk as the client reads. Both run on the API listener's streaming pool (evidence.transfers).
#include <memory>
#include <string>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "concord/app/evidence_service.hpp"
#include "concord/core/time.hpp"
#include "concord/crypto/base64.hpp"

#include "api_routes.hpp"
#include "api_util.hpp"
#include "service_impl.hpp"

namespace concord::server {
namespace {

using net::Request;
using net::Response;

boost::json::object FileJson(const app::EvidenceFile& f) {
    boost::json::object j;
    j["name"] = f.name;
    j["media_type"] = f.media_type;
    j["size"] = ToJson(f.sealed.size);
    j["sha256"] = f.sealed.sha256;
    j["added_by"] = f.added_by;
    j["added"] = FormatTimestamp(f.added_ms);
    return j;
}

// The retention members of a package, the same in its GET and in the retention register.
void AddRetention(
    boost::json::object& j,
    std::int64_t held_ms,
    std::int64_t retention_ms,
    const std::string& rule,
    std::int64_t end_ms,
    std::int64_t hold_since_ms
) {
    j["held_ms"] = held_ms;
    j["retention_ms"] = retention_ms;
    if (!rule.empty()) {
        j["retention_rule"] = rule;
    }
    j["retention_end"] = FormatTimestamp(end_ms);
    if (hold_since_ms != 0) {
        j["hold_since"] = FormatTimestamp(hold_since_ms);
    }
}

boost::json::object UploadJson(const app::UploadStatus& u) {
    boost::json::object j{
        {"package", u.package},
        {"name", u.name},
        {"media_type", u.media_type},
        {"size", ToJson(u.size)},
        {"received", ToJson(u.received)},
        {"started", FormatTimestamp(u.started_ms)},
        {"started_by", u.started_by}};
    if (!u.received_sha256.empty()) {
        j["received_sha256"] = u.received_sha256;
    }
    return j;
}

boost::json::object PackageJson(const app::EvidencePackage& p) {
    boost::json::object j;
    j["package"] = p.package;
    j["case"] = p.case_id;
    j["from"] = p.from;
    j["to"] = p.to;
    j["state"] = p.state;
    j["created"] = FormatTimestamp(p.created_ms);
    j["created_by"] = p.created_by;
    j["chunk_bytes"] = p.chunk_bytes;
    boost::json::array files;
    std::uint64_t bytes = 0;
    for (const app::EvidenceFile& f : p.files) {
        files.push_back(FileJson(f));
        bytes += f.sealed.size;
    }
    j["files"] = std::move(files);
    j["bytes"] = ToJson(bytes);
    if (!p.receipt.empty()) {
        j["receipt"] = p.receipt;  // the recipient's signed receipt, as text
    }
    if (p.conditions.Any()) {
        j["conditions"] = app::UseConditionsJson(p.conditions);
    }
    if (!p.uploads.empty()) {
        boost::json::array uploads;
        for (const app::UploadStatus& u : p.uploads) {
            uploads.push_back(UploadJson(u));
        }
        j["uploads"] = std::move(uploads);
    }
    if (!p.consent_reference.empty()) {
        j["consent_reference"] = p.consent_reference;
    }
    AddRetention(
        j, p.held_ms, p.retention_ms, p.retention_rule, p.retention_end_ms, p.hold_since_ms
    );
    if (p.shredded_ms != 0) {
        j["shredded"] = FormatTimestamp(p.shredded_ms);
    }
    return j;
}

boost::json::object HoldJson(const app::LegalHold& h) {
    boost::json::object j;
    j["hold"] = h.hold;
    j["case"] = h.case_id;
    j["reason"] = h.reason;
    j["placed_by"] = h.placed_by;
    j["placed"] = FormatTimestamp(h.placed_ms);
    j["in_force"] = h.lifted_ms == 0;
    if (h.lifted_ms != 0) {
        j["lifted_by"] = h.lifted_by;
        j["lifted"] = FormatTimestamp(h.lifted_ms);
    }
    return j;
}

// A stored file that no longer decrypts or hashes as recorded is the node's fault, not the
// caller's: 500 with a code of its own (never 401, which would send the caller to sign in).
Response EvidenceError(const Error& error) {
    if (error.code == ErrorCode::kUnauthenticated || error.code == ErrorCode::kCorruption) {
        return ErrorBody(500, "evidence_damaged", error.message);
    }
    return FromError(error);
}

// 410 for what a shredded package held: it existed and is gone for good.
Response Shredded(const app::EvidencePackage& p) {
    return ErrorBody(
        410,
        "shredded",
        "evidence package " + p.package + " was shredded at the end of its retention (" +
            FormatTimestamp(p.shredded_ms) + ")"
    );
}

// A handler given the evidence service; 503 on a listener built without one
// (NodeService::Routes builds the routes of a node that is not running).
using Handler =
    Response (*)(NodeService::Impl&, app::EvidenceService&, Request&, const app::Actor&);

RouteTable::AuthedHandler Bind(NodeService::Impl& s, Handler handler) {
    return [&s, handler](Request& request, const app::Actor& actor) {
        if (s.evidence == nullptr) {
            return ErrorBody(503, "unavailable", "evidence packages are not available");
        }
        return handler(s, *s.evidence, request, actor);
    };
}

Response CreatePackage(
    NodeService::Impl& s, app::EvidenceService& evidence, Request& request, const app::Actor& actor
) {
    const std::string& case_id = request.params.at("id");
    std::string to;
    app::PackageTerms terms;
    if (!request.body.empty()) {
        boost::system::error_code ec;
        boost::json::value body = ParseJson(request.body, ec);
        if (ec || !body.is_object()) {
            return ErrorBody(400, "invalid_argument", "the body must be a JSON object");
        }
        for (const auto& member : body.as_object()) {
            const boost::json::value& v = member.value();
            if (member.key() == "conditions") {
                auto conditions = app::ParseUseConditions(v);
                if (!conditions) {
                    return FromError(conditions.error());
                }
                terms.conditions = std::move(*conditions);
            } else if (member.key() != "to" && member.key() != "consent_reference") {
                return ErrorBody(
                    400,
                    "invalid_argument",
                    "unknown member '" + ValidUtf8(member.key()) +
                        "' (known: 'to', 'conditions', 'consent_reference')"
                );
            } else if (!v.is_string()) {
                return ErrorBody(
                    400, "invalid_argument", "'" + std::string(member.key()) + "' must be a string"
                );
            } else if (member.key() == "to") {
                to = std::string(v.as_string());
            } else {
                terms.consent_reference = std::string(v.as_string());
            }
        }
    }
    if (to.empty()) {
        // By default the package goes to the case's other node (a summary: not a read of the
        // request's content).
        auto summary = s.cases->Summary(actor, case_id);
        if (!summary) {
            return FromError(summary.error());
        }
        to = summary->peer_node;
    }
    auto package = evidence.CreatePackage(actor, case_id, to, NowMillis(), terms);
    if (!package) {
        return FromError(package.error());
    }
    auto created = evidence.Get(actor, *package);
    return created ? net::Json(201, boost::json::serialize(PackageJson(*created)))
                   : FromError(created.error());
}

Response ListPackages(
    NodeService::Impl& /*s*/,
    app::EvidenceService& evidence,
    Request& request,
    const app::Actor& actor
) {
    auto packages = evidence.ListForCase(actor, request.params.at("id"));
    if (!packages) {
        return FromError(packages.error());
    }
    boost::json::array list;
    for (const app::EvidencePackage& p : *packages) {
        list.push_back(PackageJson(p));
    }
    boost::json::object root;
    root["packages"] = std::move(list);
    return net::Json(200, boost::json::serialize(root));
}

Response GetPackage(
    NodeService::Impl& /*s*/,
    app::EvidenceService& evidence,
    Request& request,
    const app::Actor& actor
) {
    auto package = evidence.Get(actor, request.params.at("package"));
    return package ? net::Json(200, boost::json::serialize(PackageJson(*package)))
                   : FromError(package.error());
}

// A file in one body, or, with ?size=, in parts: the body holds its bytes from ?offset= (0 by
// default) on, and the node keeps every whole chunk that arrives, so a cut part goes on later.
Response Upload(
    app::EvidenceService& evidence, Request& request, net::BodySource& body, const app::Actor& actor
) {
    std::string media_type = request.Header("Content-Type").value_or("application/octet-stream");
    const app::PlaintextSource source = [&body](std::span<std::uint8_t> out) {
        return body.Read(out);
    };
    if (!request.QueryParam("size")) {
        auto file = evidence.AddFile(
            actor,
            request.params.at("package"),
            request.params.at("name"),
            std::move(media_type),
            source,
            NowMillis()
        );
        return file ? net::Json(201, boost::json::serialize(FileJson(*file)))
                    : EvidenceError(file.error());
    }
    auto size = UnsignedParam(request, "size", 0, app::kMaxEvidenceFileBytes);
    if (auto* refused = std::get_if<Response>(&size)) {
        return std::move(*refused);
    }
    auto offset = UnsignedParam(request, "offset", 0, app::kMaxEvidenceFileBytes, 0);
    if (auto* refused = std::get_if<Response>(&offset)) {
        return std::move(*refused);
    }
    auto outcome = evidence.AddFilePart(
        actor,
        request.params.at("package"),
        request.params.at("name"),
        std::move(media_type),
        std::get<std::uint64_t>(size),
        std::get<std::uint64_t>(offset),
        source,
        NowMillis()
    );
    if (!outcome) {
        return EvidenceError(outcome.error());
    }
    if (outcome->file) {
        return net::Json(201, boost::json::serialize(FileJson(*outcome->file)));
    }
    if (!outcome->accepted) {
        return ErrorBody(
            409,
            "offset_mismatch",
            "the node has kept " + std::to_string(outcome->status.received) +
                " bytes of this file: send it from there (error.upload.received)",
            boost::json::object{{"upload", UploadJson(outcome->status)}}
        );
    }
    return net::Json(202, boost::json::serialize(UploadJson(outcome->status)));
}

Response UploadStatus(
    NodeService::Impl& /*s*/,
    app::EvidenceService& evidence,
    Request& request,
    const app::Actor& actor
) {
    auto status =
        evidence.UploadStatusOf(actor, request.params.at("package"), request.params.at("name"));
    return status ? net::Json(200, boost::json::serialize(UploadJson(*status)))
                  : FromError(status.error());
}

Response Seal(
    NodeService::Impl& s, app::EvidenceService& evidence, Request& request, const app::Actor& actor
) {
    const std::string& id = request.params.at("package");
    auto manifest = evidence.SealPackage(actor, id, *s.node->Directory(), NowMillis());
    if (!manifest) {
        return FromError(manifest.error());
    }
    auto sealed = evidence.Get(actor, id);
    s.WakeEvidenceSender();  // after the read: the answer shows the package as sealed
    return sealed ? net::Json(200, boost::json::serialize(PackageJson(*sealed)))
                  : FromError(sealed.error());
}

Response Manifest(
    NodeService::Impl& /*s*/,
    app::EvidenceService& evidence,
    Request& request,
    const app::Actor& actor
) {
    auto package = evidence.Get(actor, request.params.at("package"));
    if (!package) {
        return FromError(package.error());
    }
    if (package->state == "shredded") {
        return Shredded(*package);
    }
    if (package->manifest.empty()) {
        return ErrorBody(409, "not_sealed", "the package is a draft: it has no manifest yet");
    }
    // The signed text itself, byte for byte: its signatures cover exactly these bytes.
    return net::Json(200, std::move(package->manifest));
}

Response Download(
    NodeService::Impl& /*s*/,
    app::EvidenceService& evidence,
    Request& request,
    const app::Actor& actor
) {
    auto read = evidence.OpenFile(
        actor, request.params.at("package"), request.params.at("name"), NowMillis()
    );
    if (!read) {
        // Told apart from a file that never was (410, not 404), after the refusal only.
        auto package = evidence.Get(actor, request.params.at("package"));
        return package && package->state == "shredded" ? Shredded(*package)
                                                       : EvidenceError(read.error());
    }
    Response response;
    // Whatever the uploader declared, the bytes go out as an opaque attachment: a file is never
    // rendered by a browser in the node's origin. The declared type travels in its own header.
    response.content_type = "application/octet-stream";
    response.headers.emplace_back("Concord-Media-Type", read->file.media_type);
    response.headers.emplace_back("Concord-Sha256", read->file.sealed.sha256);
    response.headers.emplace_back(
        "Content-Disposition", "attachment; filename*=UTF-8''" + net::PercentEncode(read->file.name)
    );
    response.headers.emplace_back("X-Content-Type-Options", "nosniff");
    response.body_size = read->file.sealed.size;
    auto reader = std::make_shared<app::SealedFileReader>(std::move(read->reader));
    response.body_producer = [reader](std::span<std::uint8_t> out) { return reader->Read(out); };
    return response;
}

// GET /api/v1/evidence/{package}/custody: the receipt and, at the recipient, the ledger proof of
// the receipt's audit leaf (what `concord evidence download` keeps under custody/).
Response Custody(
    NodeService::Impl& /*s*/,
    app::EvidenceService& evidence,
    Request& request,
    const app::Actor& actor
) {
    auto custody = evidence.Custody(actor, request.params.at("package"));
    if (!custody) {
        return FromError(custody.error());
    }
    boost::json::object j;
    if (!custody->receipt.empty()) {
        j["receipt"] = custody->receipt;
    }
    if (!custody->ledger_leaf.empty()) {
        j["ledger_leaf"] = crypto::Base64Encode(custody->ledger_leaf);
        j["ledger_proof"] = custody->ledger_proof;
    }
    return net::Json(200, boost::json::serialize(j));
}

// `status` with the hold `hold` of `case_id` as it now stands.
Response HoldResponse(
    unsigned status,
    app::EvidenceService& evidence,
    const app::Actor& actor,
    const std::string& case_id,
    const std::string& hold
) {
    auto holds = evidence.HoldsOf(actor, case_id);
    if (!holds) {
        return FromError(holds.error());
    }
    for (const app::LegalHold& h : *holds) {
        if (h.hold == hold) {
            return net::Json(status, boost::json::serialize(HoldJson(h)));
        }
    }
    return ErrorBody(500, "internal", "the hold just recorded is not found");
}

// PUT /api/v1/cases/{id}/hold {"reason":"..."}: places a legal hold on the case's evidence.
Response PlaceHold(
    NodeService::Impl& /*s*/,
    app::EvidenceService& evidence,
    Request& request,
    const app::Actor& actor
) {
    const std::string& case_id = request.params.at("id");
    boost::system::error_code ec;
    boost::json::value body = ParseJson(request.body, ec);
    if (ec || !body.is_object()) {
        return ErrorBody(400, "invalid_argument", "the body must be a JSON object");
    }
    std::string reason;
    for (const auto& member : body.as_object()) {
        if (member.key() != "reason" || !member.value().is_string()) {
            return ErrorBody(
                400,
                "invalid_argument",
                "the body has one member, 'reason' (a string); '" + ValidUtf8(member.key()) +
                    "' is not it"
            );
        }
        reason = std::string(member.value().as_string());
    }
    auto hold = evidence.PlaceHold(actor, case_id, std::move(reason), NowMillis());
    return hold ? HoldResponse(201, evidence, actor, case_id, *hold) : FromError(hold.error());
}

// DELETE /api/v1/cases/{id}/hold: lifts the hold in force; what it kept past its retention is
// shredded at once.
Response LiftHold(
    NodeService::Impl& s, app::EvidenceService& evidence, Request& request, const app::Actor& actor
) {
    const std::string& case_id = request.params.at("id");
    auto lifted = evidence.LiftHold(actor, case_id, NowMillis());
    if (lifted) {
        s.WakeRetentionSweep();
    }
    return lifted ? HoldResponse(200, evidence, actor, case_id, *lifted)
                  : FromError(lifted.error());
}

// GET /api/v1/cases/{id}/holds: every hold of the case, oldest first.
Response ListHolds(
    NodeService::Impl& /*s*/,
    app::EvidenceService& evidence,
    Request& request,
    const app::Actor& actor
) {
    auto holds = evidence.HoldsOf(actor, request.params.at("id"));
    if (!holds) {
        return FromError(holds.error());
    }
    boost::json::array list;
    for (const app::LegalHold& h : *holds) {
        list.push_back(HoldJson(h));
    }
    return net::Json(200, boost::json::serialize(boost::json::object{{"holds", std::move(list)}}));
}

// GET /api/v1/retention?view=kept|shredded&limit=N: the retention register (audit.read).
Response RetentionRegister(
    NodeService::Impl& /*s*/,
    app::EvidenceService& evidence,
    Request& request,
    const app::Actor& actor
) {
    auto view = ChoiceParam(request, "view", {"kept", "shredded"}, "kept");
    if (auto* refused = std::get_if<Response>(&view)) {
        return std::move(*refused);
    }
    auto limit = UnsignedParam(request, "limit", 1, 1000, 100);
    if (auto* refused = std::get_if<Response>(&limit)) {
        return std::move(*refused);
    }
    auto entries = evidence.RetentionRegister(
        actor,
        std::get<std::string>(view) == "kept" ? app::RetentionView::kKept
                                              : app::RetentionView::kShredded,
        std::get<std::uint64_t>(limit)
    );
    if (!entries) {
        return FromError(entries.error());
    }
    boost::json::array list;
    for (const app::RetentionEntry& e : *entries) {
        boost::json::object j;
        j["package"] = e.package;
        j["case"] = e.case_id;
        j["from"] = e.from;
        j["to"] = e.to;
        j["state"] = e.state;
        j["created"] = FormatTimestamp(e.created_ms);
        AddRetention(
            j, e.held_ms, e.retention_ms, e.retention_rule, e.retention_end_ms, e.hold_since_ms
        );
        if (e.shredded_ms != 0) {
            j["shredded"] = FormatTimestamp(e.shredded_ms);
        }
        j["files"] = static_cast<std::int64_t>(e.files);
        j["bytes"] = ToJson(e.bytes);
        list.push_back(std::move(j));
    }
    return net::Json(
        200, boost::json::serialize(boost::json::object{{"packages", std::move(list)}})
    );
}

}  // namespace

void AddEvidenceRoutes(RouteTable& t, NodeService::Impl& s) {
    t.Authed("POST", "/api/v1/cases/{id}/evidence", app::Action::kCaseEdit, Bind(s, CreatePackage));
    t.Authed("GET", "/api/v1/cases/{id}/evidence", app::Action::kCaseRead, Bind(s, ListPackages));
    t.Authed("GET", "/api/v1/evidence/{package}", app::Action::kCaseRead, Bind(s, GetPackage));
    net::StreamOptions upload;
    upload.max_body_bytes = s.config.evidence_max_file_bytes;
    t.AuthedStreaming(
        "PUT",
        "/api/v1/evidence/{package}/files/{name}",
        app::Action::kCaseEdit,
        [&s](Request& r, net::BodySource& body, const app::Actor& a) {
            if (s.evidence == nullptr) {
                return ErrorBody(503, "unavailable", "evidence packages are not available");
            }
            return Upload(*s.evidence, r, body, a);
        },
        upload
    );
    t.Authed(
        "GET",
        "/api/v1/evidence/{package}/uploads/{name}",
        app::Action::kCaseEdit,
        Bind(s, UploadStatus)
    );
    t.AuthedStreaming(
        "GET",
        "/api/v1/evidence/{package}/files/{name}",
        app::Action::kCaseRead,
        [download = Bind(s, Download)](Request& r, net::BodySource&, const app::Actor& a) {
            return download(r, a);
        },
        net::StreamOptions{}
    );
    t.Authed("POST", "/api/v1/evidence/{package}/seal", app::Action::kCaseEdit, Bind(s, Seal));
    t.Authed(
        "GET", "/api/v1/evidence/{package}/manifest", app::Action::kCaseRead, Bind(s, Manifest)
    );
    t.Authed("GET", "/api/v1/evidence/{package}/custody", app::Action::kCaseRead, Bind(s, Custody));
    t.Authed("PUT", "/api/v1/cases/{id}/hold", app::Action::kCaseEdit, Bind(s, PlaceHold));
    t.Authed("DELETE", "/api/v1/cases/{id}/hold", app::Action::kCaseEdit, Bind(s, LiftHold));
    t.Authed("GET", "/api/v1/cases/{id}/holds", app::Action::kCaseRead, Bind(s, ListHolds));
    t.Authed("GET", "/api/v1/retention", app::Action::kAuditRead, Bind(s, RetentionRegister));
}

}  // namespace concord::server
