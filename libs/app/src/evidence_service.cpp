#include "concord/app/evidence_service.hpp"

#include <algorithm>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "concord/app/access_log.hpp"
#include "concord/core/assert.hpp"
#include "concord/core/id.hpp"
#include "concord/core/time.hpp"
#include "concord/core/utf8.hpp"
#include "concord/crypto/secret_box.hpp"
#include "concord/crypto/sha256.hpp"
#include "concord/federation/node.hpp"

#include "evidence_tables.hpp"

namespace concord::app {
namespace {

constexpr std::string_view kDataKeyContext = "evidence";
constexpr std::uint64_t kDataKeyId = 1;

constexpr std::string_view kInsertPackage =
    "INSERT INTO app_evidence_packages (package, case_id, recipient, state, created_ms, "
    "created_by, chunk_bytes, sealed_key, manifest, conditions, consent_reference, retention_ms, "
    "retention_rule) VALUES ($1, $2, $3, 'draft', $4, $5, $6, $7, NULL, $8, $9, $10, $11)";
constexpr std::string_view kSelectPackage =
    "SELECT package, case_id, recipient, state, created_ms, created_by, chunk_bytes, sealed_key, "
    "manifest, sender, receipt, held_ms, shredded_ms, conditions, consent_reference, "
    "retention_ms, retention_rule, (SELECT h.placed_ms FROM app_evidence_holds h WHERE h.case_id "
    "= p.case_id AND h.lifted_ms IS NULL) AS hold_since FROM app_evidence_packages p WHERE "
    "package = $1";
// The use conditions of what the case received from other nodes.
constexpr std::string_view kSelectReceivedConditions =
    "SELECT sender, conditions FROM app_evidence_packages WHERE case_id = $1 AND sender IS NOT "
    "NULL AND conditions IS NOT NULL ORDER BY created_ms, package";
constexpr std::string_view kSelectCasePackages =
    "SELECT package FROM app_evidence_packages WHERE case_id = $1 ORDER BY created_ms, package";
constexpr std::string_view kSelectFiles =
    "SELECT name, media_type, size, sha256, encrypted_sha256, added_by, added_ms FROM "
    "app_evidence_files WHERE package = $1 ORDER BY seq";
constexpr std::string_view kSealPackage =
    "UPDATE app_evidence_packages SET state = 'sealed', manifest = $2 WHERE package = $1 AND "
    "state = 'draft'";

std::string Schema(const std::string& integer, const std::string& bytes) {
    return "CREATE TABLE app_evidence_packages (package TEXT PRIMARY KEY, case_id TEXT NOT NULL, "
           "recipient TEXT NOT NULL, state TEXT NOT NULL, created_ms " +
           integer + " NOT NULL, created_by TEXT NOT NULL, chunk_bytes " + integer +
           " NOT NULL, sealed_key " + bytes +
           " NOT NULL, manifest TEXT);\n"
           "CREATE INDEX app_evidence_packages_case ON app_evidence_packages (case_id);\n"
           "CREATE TABLE app_evidence_files (package TEXT NOT NULL REFERENCES "
           "app_evidence_packages (package), seq " +
           integer + " NOT NULL, name TEXT NOT NULL, media_type TEXT NOT NULL, size " + integer +
           " NOT NULL, sha256 TEXT NOT NULL, encrypted_sha256 TEXT NOT NULL, added_by TEXT NOT "
           "NULL, added_ms " +
           integer + " NOT NULL, PRIMARY KEY (package, seq), UNIQUE (package, name))";
}

Error Invalid(std::string message) {
    return MakeError(ErrorCode::kInvalidArgument, std::move(message));
}

constexpr std::size_t kMaxConsentReferenceBytes = 500;

Result<void> CheckConsentReference(std::string_view reference) {
    if (reference.size() > kMaxConsentReferenceBytes || !IsValidUtf8(reference)) {
        return Invalid("a consent reference is at most 500 bytes of UTF-8");
    }
    for (char c : reference) {
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
            return Invalid("a consent reference holds no control character");
        }
    }
    return {};
}

}  // namespace

// Version 2: the transfer to the recipient. `sender` is NULL for this node's own packages and
// names the sending node of an incoming one; `receipt` holds the recipient's signed receipt.
constexpr std::string_view kTransferSchema =
    "ALTER TABLE app_evidence_packages ADD COLUMN sender TEXT;\n"
    "ALTER TABLE app_evidence_packages ADD COLUMN receipt TEXT;\n"
    "CREATE INDEX app_evidence_packages_state ON app_evidence_packages (state, created_ms)";

// Retention and legal holds (evidence_retention.cpp), use conditions and onward consent.
std::string DataProtectionSchema(std::string_view integer) {
    const std::string i(integer);
    return "ALTER TABLE app_evidence_packages ADD COLUMN conditions TEXT;\n"
           "ALTER TABLE app_evidence_packages ADD COLUMN consent_reference TEXT;\n"
           "ALTER TABLE app_evidence_packages ADD COLUMN held_ms " +
           i +
           " NOT NULL DEFAULT 0;\n"
           "ALTER TABLE app_evidence_packages ADD COLUMN shredded_ms " +
           i +
           ";\n"
           "CREATE TABLE app_evidence_holds (hold TEXT PRIMARY KEY, case_id TEXT NOT NULL, "
           "reason TEXT NOT NULL, placed_by TEXT NOT NULL, placed_ms " +
           i + " NOT NULL, lifted_by TEXT, lifted_ms " + i +
           ");\n"
           "CREATE UNIQUE INDEX app_evidence_holds_in_force ON app_evidence_holds (case_id) "
           "WHERE lifted_ms IS NULL";
}

// Version 4: the retention period a rule gave a package when it was created (RetentionPolicy) and
// that rule. NULL in both: the node's default applies, whatever it is set to at the sweep; so for
// packages from before.
std::string RetentionSchema(std::string_view integer) {
    return "ALTER TABLE app_evidence_packages ADD COLUMN retention_ms " + std::string(integer) +
           ";\n"
           "ALTER TABLE app_evidence_packages ADD COLUMN retention_rule TEXT";
}

std::vector<store::Migration> EvidenceService::Migrations() {
    std::vector<store::Migration> all = {
        store::Migration{"app_evidence", 1, Schema("INTEGER", "BLOB"), Schema("BIGINT", "BYTEA")},
        store::Migration{
            "app_evidence", 2, std::string(kTransferSchema), std::string(kTransferSchema)},
        store::Migration{
            "app_evidence", 3, DataProtectionSchema("INTEGER"), DataProtectionSchema("BIGINT")},
        store::Migration{"app_evidence", 4, RetentionSchema("INTEGER"), RetentionSchema("BIGINT")},
        store::Migration{
            "app_evidence", 5, detail::UploadSchema("INTEGER"), detail::UploadSchema("BIGINT")},
        store::Migration{
            "app_evidence",
            6,
            detail::UploadTouchSchema("INTEGER"),
            detail::UploadTouchSchema("BIGINT")}};
    for (store::Migration& m : AccessLogMigrations()) {
        all.push_back(std::move(m));
    }
    return all;
}

EvidenceService::EvidenceService(
    store::Store& store,
    BlobStore& blobs,
    const crypto::SigningKey& node_key,
    const crypto::BoxKeyPair& node_box,
    Options options,
    CaseAccess access,
    UserCertifier certifier,
    RetentionPolicy retention
)
    : store_(store),
      blobs_(blobs),
      node_key_(crypto::SigningKey::FromSeed(node_key.Seed().Span()).value()),
      node_box_(node_box),
      options_(std::move(options)),
      access_(std::move(access)),
      user_keys_(node_key),
      certifier_(std::move(certifier)),
      retention_(std::move(retention)) {
    auto key = crypto::DeriveSubkey(node_key.Seed(), kDataKeyContext, kDataKeyId);
    // A signing seed is always 32 bytes and the context is 8 characters.
    CONCORD_ASSERT(key.has_value());
    data_key_ = std::move(*key);
}

Result<std::unique_ptr<EvidenceService>> EvidenceService::Create(
    store::Store& store,
    BlobStore& blobs,
    const crypto::SigningKey& node_key,
    const crypto::BoxKeyPair& node_box,
    Options options,
    CaseAccess access
) {
    CONCORD_RETURN_IF_ERROR(federation::CheckNodeId(options.node_id));
    CONCORD_RETURN_IF_ERROR(ChunkLayout::Create(0, options.chunk_bytes));
    if (!access) {
        return Invalid("evidence service: no case access check given");
    }
    if (options.upload_expiry_ms < 1000) {
        return Invalid("evidence service: an upload waits at least one second for its next part");
    }
    CONCORD_ASSIGN_OR_RETURN(
        RetentionPolicy retention,
        RetentionPolicy::Create(options.retention_ms, options.retention_rules)
    );
    CONCORD_ASSIGN_OR_RETURN(
        UserCertifier certifier, UserCertifier::Create(node_key, options.certifier)
    );
    return std::unique_ptr<EvidenceService>(new EvidenceService(
        store,
        blobs,
        node_key,
        node_box,
        std::move(options),
        std::move(access),
        std::move(certifier),
        std::move(retention)
    ));
}

Result<RetentionPolicy::Decision> EvidenceService::RetentionOf(std::string_view case_id) const {
    if (!options_.cases.facts) {
        return retention_.For(RetentionFacts{});
    }
    CONCORD_ASSIGN_OR_RETURN(RetentionFacts facts, options_.cases.facts(case_id));
    return retention_.For(facts);
}

Result<void> EvidenceService::Attached() const {
    if (node_ == nullptr) {
        return MakeError(ErrorCode::kInternal, "evidence service used before Attach");
    }
    return {};
}

Result<void> EvidenceService::Audit(
    store::Transaction& tx, boost::json::object leaf, const Actor& actor
) {
    CONCORD_RETURN_IF_ERROR(Attached());
    NameActor(leaf, actor);
    CONCORD_RETURN_IF_ERROR(node_->AppendEvent(tx, leaf));
    return {};
}

Result<EvidenceService::Stored> EvidenceService::Load(
    store::Transaction& tx, std::string_view package
) const {
    CONCORD_ASSIGN_OR_RETURN(auto rows, tx.Query(kSelectPackage, {std::string(package)}));
    if (rows.empty()) {
        return MakeError(ErrorCode::kNotFound, "no evidence package " + std::string(package));
    }
    const store::Row& r = rows.front();
    Stored stored;
    stored.sealed_key = r.Blob("sealed_key");
    EvidencePackage& p = stored.package;
    p.package = r.Text("package");
    p.case_id = r.Text("case_id");
    p.to = r.Text("recipient");
    p.state = r.Text("state");
    p.created_ms = r.Int("created_ms");
    p.created_by = r.Text("created_by");
    p.chunk_bytes = static_cast<std::uint32_t>(r.Int("chunk_bytes"));
    p.manifest = r.IsNull("manifest") ? std::string() : r.Text("manifest");
    p.from = r.IsNull("sender") ? options_.node_id : r.Text("sender");
    p.receipt = r.IsNull("receipt") ? std::string() : r.Text("receipt");
    p.held_ms = r.Int("held_ms");
    p.shredded_ms = r.IsNull("shredded_ms") ? 0 : r.Int("shredded_ms");
    const RetentionPolicy::Decision retention = detail::StoredRetention(r, retention_.DefaultMs());
    p.retention_ms = retention.period_ms;
    p.retention_rule = retention.rule;
    p.retention_end_ms = p.created_ms + p.retention_ms + p.held_ms;
    p.hold_since_ms = r.IsNull("hold_since") ? 0 : r.Int("hold_since");
    if (!r.IsNull("conditions")) {
        CONCORD_ASSIGN_OR_RETURN(p.conditions, detail::StoredConditions(r.Text("conditions")));
    }
    p.consent_reference = r.IsNull("consent_reference") ? "" : r.Text("consent_reference");
    CONCORD_ASSIGN_OR_RETURN(auto files, tx.Query(kSelectFiles, {p.package}));
    for (const store::Row& f : files) {
        EvidenceFile file;
        file.name = f.Text("name");
        file.media_type = f.Text("media_type");
        file.sealed.size = static_cast<std::uint64_t>(f.Int("size"));
        file.sealed.sha256 = f.Text("sha256");
        file.sealed.encrypted_sha256 = f.Text("encrypted_sha256");
        file.added_by = f.Text("added_by");
        file.added_ms = f.Int("added_ms");
        p.files.push_back(std::move(file));
    }
    if (p.state == "draft") {
        CONCORD_ASSIGN_OR_RETURN(
            p.uploads, detail::UploadsUnderWay(tx, blobs_, p.package, p.chunk_bytes)
        );
    }
    return stored;
}

Result<crypto::SecretBytes> EvidenceService::PackageKey(const EvidencePackage& p, ByteSpan sealed)
    const {
    if (p.state == "shredded") {
        return MakeError(
            ErrorCode::kNotFound,
            "evidence package " + p.package + " was shredded at the end of its retention (" +
                FormatTimestamp(p.shredded_ms) + "): its files are gone"
        );
    }
    return crypto::SecretOpen(sealed, detail::EvidenceKeyAssociatedData(p.package), data_key_);
}

Result<std::string> EvidenceService::CreatePackage(
    const Actor& actor,
    std::string_view case_id,
    std::string_view to,
    std::int64_t now_ms,
    const PackageTerms& terms
) {
    CONCORD_RETURN_IF_ERROR(access_(actor, Action::kCaseEdit, case_id));
    CONCORD_RETURN_IF_ERROR(federation::CheckNodeId(to));
    if (to == options_.node_id) {
        return Invalid("a package goes to another node, not to this one");
    }
    CONCORD_RETURN_IF_ERROR(CheckUseConditions(terms.conditions));
    CONCORD_RETURN_IF_ERROR(CheckConsentReference(terms.consent_reference));
    const std::string package = NewUuidV7At(now_ms);
    const crypto::SecretBytes key = crypto::GenerateStreamKey();
    CONCORD_ASSIGN_OR_RETURN(
        Bytes sealed,
        crypto::SecretSeal(key.Span(), detail::EvidenceKeyAssociatedData(package), data_key_)
    );
    CONCORD_ASSIGN_OR_RETURN(RetentionPolicy::Decision retention, RetentionOf(case_id));
    CONCORD_ASSIGN_OR_RETURN(auto tx, store_.Begin());
    // What the case received from a node other than `to` goes on with its conditions.
    UseConditions conditions = terms.conditions;
    boost::json::array consent_of;
    CONCORD_ASSIGN_OR_RETURN(
        auto received, tx->Query(kSelectReceivedConditions, {std::string(case_id)})
    );
    for (const store::Row& r : received) {
        const std::string sender = r.Text("sender");
        if (sender == to) {
            continue;
        }
        CONCORD_ASSIGN_OR_RETURN(UseConditions c, detail::StoredConditions(r.Text("conditions")));
        conditions.confidential = conditions.confidential || c.confidential;
        conditions.speciality = conditions.speciality || c.speciality;
        if (c.onward_consent) {
            conditions.onward_consent = true;
            if (std::find(consent_of.begin(), consent_of.end(), boost::json::value(sender)) ==
                consent_of.end()) {
                consent_of.emplace_back(sender);
            }
        }
    }
    if (!consent_of.empty() && terms.consent_reference.empty()) {
        return MakeError(
            ErrorCode::kPermissionDenied,
            "case " + std::string(case_id) + " holds data from " +
                boost::json::serialize(consent_of) + " that may go to " + std::string(to) +
                " only with the sender's consent: record the consent's reference"
        );
    }
    const std::string reference = consent_of.empty() ? "" : terms.consent_reference;
    CONCORD_RETURN_IF_ERROR(tx->Execute(
        kInsertPackage,
        {package,
         std::string(case_id),
         std::string(to),
         now_ms,
         actor.Label(),
         static_cast<std::int64_t>(options_.chunk_bytes),
         sealed,
         detail::ConditionsValue(conditions),
         reference.empty() ? store::Value(store::Null{}) : store::Value(reference),
         detail::RetentionPeriodValue(retention),
         detail::RetentionRuleValue(retention)}
    ));
    boost::json::object leaf{
        {"event", "evidence.created"},
        {"package", package},
        {"case", std::string(case_id)},
        {"to", std::string(to)},
        {"retention", detail::RetentionLeaf(retention)}};
    if (conditions.Any()) {
        // The flags; the note, which can name people, only by its hash.
        boost::json::object logged = UseConditionsJson(conditions);
        logged.erase("note");
        if (!conditions.note.empty()) {
            logged["note_sha256"] = HexEncode(crypto::Sha256(AsBytes(conditions.note)));
        }
        leaf["conditions"] = std::move(logged);
    }
    if (!reference.empty()) {
        leaf["onward_consent"] =
            boost::json::object{{"of", std::move(consent_of)}, {"reference", reference}};
    }
    CONCORD_RETURN_IF_ERROR(Audit(*tx, std::move(leaf), actor));
    CONCORD_RETURN_IF_ERROR(tx->Commit());
    return package;
}

Result<EvidenceFile> EvidenceService::AddFile(
    const Actor& actor,
    std::string_view package,
    std::string name,
    std::string media_type,
    const PlaintextSource& source,
    std::int64_t now_ms
) {
    CONCORD_ASSIGN_OR_RETURN(Stored stored, LoadFor(actor, package, Action::kCaseEdit));
    const EvidencePackage& p = stored.package;
    if (p.state != "draft") {
        return Invalid("evidence package " + p.package + " is sealed: no file can be added");
    }
    CONCORD_ASSIGN_OR_RETURN(crypto::SecretBytes key, PackageKey(p, stored.sealed_key));
    // The whole file is encrypted into the blob store before anything is recorded: a cut upload
    // leaves no row (and at most an unreferenced blob).
    PackageBuilder builder = PackageBuilder::Resume(blobs_, p.chunk_bytes, std::move(key), p.files);
    CONCORD_RETURN_IF_ERROR(builder.AddFile(
        std::move(name), std::move(media_type), detail::AddedBy(actor), now_ms, source
    ));
    const EvidenceFile file = builder.Files().back();

    CONCORD_ASSIGN_OR_RETURN(auto tx, store_.Begin());
    CONCORD_ASSIGN_OR_RETURN(Stored current, Load(*tx, package));
    const EvidencePackage& now = current.package;
    if (now.state != "draft") {
        return Invalid("evidence package " + p.package + " was sealed during the upload");
    }
    for (const EvidenceFile& f : now.files) {
        if (f.name == file.name) {
            return Invalid("file name '" + file.name + "' appears twice");
        }
    }
    CONCORD_RETURN_IF_ERROR(detail::InsertEvidenceFile(*tx, p.package, now.files.size(), file));
    CONCORD_RETURN_IF_ERROR(Audit(
        *tx, detail::EvidenceFileLeaf("evidence.file_added", p.package, p.case_id, file), actor
    ));
    CONCORD_RETURN_IF_ERROR(tx->Commit());
    return file;
}

Result<std::string> EvidenceService::SealPackage(
    const Actor& actor,
    std::string_view package,
    const federation::Directory& directory,
    std::int64_t now_ms
) {
    if (actor.kind != Actor::Kind::kUser) {
        // Not a matter of permission: the node holds no personal key to sign with.
        return Invalid(
            "the node cannot seal a package: a person seals it with their own certified key (use "
            "a personal token)"
        );
    }
    if (!(actor.Has(Role::kOfficer) || actor.Has(Role::kDutyOfficer) || actor.Has(Role::kResponder)
        )) {
        return MakeError(
            ErrorCode::kPermissionDenied,
            "a package is sealed by a person holding officer, duty_officer or responder, who "
            "signs its manifest with their own key"
        );
    }
    // The case check and the case's shared name open transactions of their own: never inside
    // this one.
    CONCORD_ASSIGN_OR_RETURN(Stored checked, LoadFor(actor, package, Action::kCaseEdit));
    std::string case_reference = checked.package.case_id;
    if (options_.cases.reference) {
        CONCORD_ASSIGN_OR_RETURN(case_reference, options_.cases.reference(case_reference));
    }
    CONCORD_ASSIGN_OR_RETURN(auto tx, store_.Begin());
    CONCORD_ASSIGN_OR_RETURN(Stored stored, Load(*tx, package));
    const EvidencePackage& p = stored.package;
    if (p.state != "draft") {
        return Invalid("evidence package " + p.package + " is sealed already");
    }
    const federation::NodeEntry* recipient = directory.FindNode(p.to);
    if (recipient == nullptr || recipient->revoked) {
        return MakeError(
            ErrorCode::kNotFound,
            "recipient node '" + p.to + "' is not in the directory (or revoked)"
        );
    }
    CONCORD_ASSIGN_OR_RETURN(crypto::SecretBytes key, PackageKey(p, stored.sealed_key));
    const PackageBuilder builder =
        PackageBuilder::Resume(blobs_, p.chunk_bytes, std::move(key), p.files);
    CONCORD_ASSIGN_OR_RETURN(
        EvidenceManifest manifest,
        builder.Finish(
            p.package, case_reference, options_.node_id, p.to, now_ms, recipient->box_key, node_box_
        )
    );
    manifest.conditions = p.conditions;
    const CertifiedUser officer{actor.user_id, actor.display_name, actor.roles, actor.unit};
    CONCORD_ASSIGN_OR_RETURN(crypto::SigningKey officer_key, user_keys_.KeyFor(*tx, actor.user_id));
    CONCORD_ASSIGN_OR_RETURN(
        IssuedCertificate certificate,
        certifier_.CertificateFor(*tx, officer, officer_key.PublicKey(), now_ms)
    );
    CONCORD_ASSIGN_OR_RETURN(
        std::string text, SignManifest(manifest, certificate.text, officer_key, now_ms, node_key_)
    );
    CONCORD_ASSIGN_OR_RETURN(std::int64_t changed, tx->Execute(kSealPackage, {p.package, text}));
    if (changed != 1) {
        return Invalid("evidence package " + p.package + " is sealed already");
    }
    // Uploads still under way are not part of what was signed: they end here.
    CONCORD_ASSIGN_OR_RETURN(std::vector<std::string> unfinished, DropUploads(*tx, p.package));
    CONCORD_RETURN_IF_ERROR(Audit(
        *tx,
        boost::json::object{
            {"event", "evidence.sealed"},
            {"package", p.package},
            {"case", p.case_id},
            {"to", p.to},
            {"files", static_cast<std::int64_t>(p.files.size())},
            {"manifest_sha256", HexEncode(crypto::Sha256(AsBytes(text)))}},
        actor
    ));
    CONCORD_RETURN_IF_ERROR(tx->Commit());
    RemovePartials(unfinished, p.package);
    return text;
}

Result<EvidenceService::Stored> EvidenceService::LoadFor(
    const Actor& actor, std::string_view package, Action action
) const {
    Stored stored;
    {
        CONCORD_ASSIGN_OR_RETURN(auto tx, store_.Begin());
        CONCORD_ASSIGN_OR_RETURN(stored, Load(*tx, package));
        tx->Rollback();
    }
    // After the read transaction ends: the case check opens one of its own.
    CONCORD_RETURN_IF_ERROR(access_(actor, action, stored.package.case_id));
    return stored;
}

Result<EvidencePackage> EvidenceService::Get(const Actor& actor, std::string_view package) {
    CONCORD_ASSIGN_OR_RETURN(Stored stored, LoadFor(actor, package, Action::kCaseRead));
    return std::move(stored.package);
}

Result<std::vector<EvidencePackage>> EvidenceService::ListForCase(
    const Actor& actor, std::string_view case_id
) {
    CONCORD_RETURN_IF_ERROR(access_(actor, Action::kCaseRead, case_id));
    std::vector<EvidencePackage> out;
    CONCORD_ASSIGN_OR_RETURN(auto tx, store_.Begin());
    CONCORD_ASSIGN_OR_RETURN(auto rows, tx->Query(kSelectCasePackages, {std::string(case_id)}));
    for (const store::Row& r : rows) {
        CONCORD_ASSIGN_OR_RETURN(Stored stored, Load(*tx, r.Text("package")));
        out.push_back(std::move(stored.package));
    }
    tx->Rollback();
    return out;
}

Result<EvidenceFileRead> EvidenceService::OpenFile(
    const Actor& actor, std::string_view package, std::string_view name, std::int64_t now_ms
) {
    CONCORD_ASSIGN_OR_RETURN(Stored stored, LoadFor(actor, package, Action::kCaseRead));
    const EvidencePackage& p = stored.package;
    const auto file = std::find_if(p.files.begin(), p.files.end(), [name](const EvidenceFile& f) {
        return f.name == name;
    });
    if (file == p.files.end()) {
        return MakeError(
            ErrorCode::kNotFound,
            "evidence package " + p.package + " has no file \"" + std::string(name) + "\""
        );
    }
    CONCORD_ASSIGN_OR_RETURN(crypto::SecretBytes key, PackageKey(p, stored.sealed_key));
    CONCORD_ASSIGN_OR_RETURN(
        SealedFileReader reader, SealedFileReader::Open(blobs_, key, p.chunk_bytes, file->sealed)
    );
    CONCORD_RETURN_IF_ERROR(Attached());
    CONCORD_ASSIGN_OR_RETURN(auto tx, store_.Begin());
    CONCORD_RETURN_IF_ERROR(RecordAccess(
        *tx,
        *node_,
        actor,
        p.case_id,
        "evidence:" + p.package + "/" + file->name,
        boost::json::object{
            {"event", "evidence.file_read"},
            {"package", p.package},
            {"case", p.case_id},
            {"file", file->name},
            {"sha256", file->sealed.sha256},
            {"at", FormatTimestamp(now_ms)}},
        now_ms
    ));
    CONCORD_RETURN_IF_ERROR(tx->Commit());
    return EvidenceFileRead{*file, std::move(reader)};
}

Result<void> EvidenceService::Download(
    const Actor& actor,
    std::string_view package,
    const std::filesystem::path& out,
    std::int64_t now_ms
) {
    CONCORD_ASSIGN_OR_RETURN(Stored stored, LoadFor(actor, package, Action::kCaseRead));
    const EvidencePackage& p = stored.package;
    if (p.state == "draft" || p.state == "receiving") {
        return Invalid(
            "evidence package " + p.package +
            (p.state == "draft" ? " is a draft: seal it first" : " has not arrived whole yet")
        );
    }
    CONCORD_ASSIGN_OR_RETURN(crypto::SecretBytes key, PackageKey(p, stored.sealed_key));
    CONCORD_ASSIGN_OR_RETURN(ParsedManifest manifest, ParseManifest(p.manifest));
    // The read is recorded before any plaintext is written: a download that fails half-way is
    // still in the log, one that succeeds is never missing from it.
    CONCORD_RETURN_IF_ERROR(Attached());
    CONCORD_ASSIGN_OR_RETURN(auto tx, store_.Begin());
    CONCORD_RETURN_IF_ERROR(RecordAccess(
        *tx,
        *node_,
        actor,
        p.case_id,
        "evidence:" + p.package,
        boost::json::object{
            {"event", "evidence.downloaded"},
            {"package", p.package},
            {"case", p.case_id},
            {"files", static_cast<std::int64_t>(p.files.size())},
            {"at", FormatTimestamp(now_ms)}},
        now_ms
    ));
    CONCORD_RETURN_IF_ERROR(tx->Commit());
    return ExportPackage(blobs_, manifest, p.manifest, key, out);
}

}  // namespace concord::app
