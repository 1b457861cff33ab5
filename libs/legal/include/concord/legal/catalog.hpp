#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "concord/core/result.hpp"

namespace concord::legal {

/// The six official languages of the United Nations, in the order the data files list them.
inline constexpr std::array<std::string_view, 6> kLanguages = {"ar", "zh", "en", "fr", "ru", "es"};

/// True when `lang` is one of kLanguages.
bool IsSupportedLanguage(std::string_view lang);

/// A text in each of the six languages, keyed by language code. The loader refuses an entry that
/// lacks one of them, so lookups in a loaded Catalog always find all six.
using Localized = std::map<std::string, std::string, std::less<>>;

/// The text of `text` in `lang`, else in English, else empty.
std::string_view Pick(const Localized& text, std::string_view lang);

/// How far an entry was checked against the official text of its instrument.
enum class Verification : std::uint8_t {
    kVerified,    ///< read in the official text (or a faithful copy of it)
    kSecondary,   ///< attested by secondary sources only (reports, summaries, tables)
    kUnverified,  ///< not confirmed by any source read; shown with a warning wherever used
};

/// "verified", "secondary" or "unverified".
std::string_view VerificationName(Verification v);
/// The status named `name` ("verified", "secondary", "unverified"); nullopt for any other text.
std::optional<Verification> VerificationNamed(std::string_view name);

/// One article (or, for a draft whose numbering is not attested, one numbered item) of an
/// instrument. `id` is what follows "INSTRUMENT:" in a citation; `number` is the article number
/// printed in the text, empty when no source attests it.
struct Article {
    std::string id;
    std::string number;
    std::string kind;        ///< offence, ancillary, procedural, cooperation, general, final, ...
    std::string chapter;     ///< chapter or section label as printed ("III", "II.1")
    std::string concept_id;  ///< offence concept id, for kind == "offence" (and ancillary ones)
    Localized title;
    Verification verification{Verification::kUnverified};
    std::string source;  ///< where the entry was checked: instrument, article, paragraph, copy
    std::string note;
    /// For offences and ancillary offences with a concept (default "mandatory"): "mandatory"
    /// (each party shall establish it, subject to the reservations
    /// the instrument allows) or "optional" (a party may establish it).
    std::string criminalisation;
    /// How far the wording of the article's paragraphs was checked, where it differs from the
    /// article as a unit (its number and title): a citation of a paragraph takes the status of
    /// the longest matching entry of `paragraphs`, else this one.
    Verification paragraph_verification{Verification::kUnverified};
    /// Paragraphs checked on their own, e.g. {"1(c)", kVerified}.
    std::vector<std::pair<std::string, Verification>> paragraphs;
};

/// A point on which a party may make a reservation, and what it changes for requests.
struct Reservation {
    std::string id;       ///< paragraph as cited, e.g. "29(4)"
    std::string article;  ///< article id it belongs to, e.g. "29"
    std::string effect;   ///< machine-read effect (docs/legal-data.md lists them), may be empty
    /// Articles of the instrument whose offences the reservation can never be raised for, as the
    /// text words its scope (Budapest 29(4): "offences other than those established in
    /// accordance with Articles 2 through 11").
    std::vector<std::string> scope_except;
    std::string scope_cite;  ///< the paragraph that states that scope
    Localized title;
    Verification verification{Verification::kUnverified};
    std::string source;
};

/// A term an instrument defines (traffic data, emergency, ...), shown beside the fields using it.
struct Definition {
    std::string term;     ///< shared term id, e.g. "traffic_data"
    std::string article;  ///< article and paragraph, e.g. "1(d)"
    Localized text;
    Verification verification{Verification::kUnverified};
    std::string source;
};

/// A minimum maximum penalty an offence must carry for a request under the instrument (the UN
/// Convention's "serious crime", the EU Regulation's threshold for traffic and content data).
struct PenaltyThreshold {
    std::string id;             ///< names the rule in the data file
    std::int64_t min_years{0};  ///< the offence's maximum penalty must be at least this
    std::vector<std::string> request_types;  ///< request types it applies to; empty: all
    std::vector<std::string> categories;     ///< data categories that trigger it; empty: always
    bool other_offences_only{false};  ///< true: only offences that are not the instrument's own
    std::vector<std::string> cites;   ///< full citations, e.g. "un-2024:35(1)(c)"
    std::vector<std::string> exempt_concepts;  ///< offence concepts exempt from the threshold
    std::string exempt_cite;                   ///< citation of the exemption
    std::string definition;                    ///< defined term shown with it, may be empty
    Verification verification{Verification::kUnverified};
    std::string source;
};

/// One legal instrument, read from instruments/<id>.toml.
struct Instrument {
    std::string id;
    std::string short_name;
    std::string kind;  ///< treaty, draft, regulation
    Localized title;
    std::string adopted;       ///< YYYY-MM-DD or empty
    std::string in_force;      ///< YYYY-MM-DD or empty when not (yet) in force
    std::string applies_from;  ///< YYYY-MM-DD; for regulations applying after entry into force
    std::string status_note;
    std::string source;
    Verification verification{Verification::kUnverified};
    std::vector<Article> articles;
    std::vector<Reservation> reservations;
    std::vector<Definition> definitions;
    std::vector<PenaltyThreshold> penalty_thresholds;
    std::string opened_for_signature;  ///< YYYY-MM-DD or empty
    /// For an instrument between the members of a group (EU law): the party group it binds, the
    /// parties of the group it does not bind, the request types it replaces between them, and the
    /// article saying so. Empty `group`: a treaty bound by ratification (parties/*.toml).
    std::string group;
    std::vector<std::string> group_not_bound;
    std::vector<std::string> replaces;
    std::string replaces_cite;
    std::filesystem::path file;

    /// The article with `id`, or nullptr.
    [[nodiscard]] const Article* FindArticle(std::string_view article_id) const;
    /// The reservation with `id` ("29(4)"), or nullptr.
    [[nodiscard]] const Reservation* FindReservation(std::string_view reservation_id) const;
    /// The definition of `term`, or nullptr.
    [[nodiscard]] const Definition* FindDefinition(std::string_view term) const;
};

/// A shared offence concept that offences of different instruments map to.
struct Concept {
    std::string id;
    std::string group;  ///< cia, computer_related, content, ancillary, other_crime, ...
    Localized title;
    Localized note;  ///< may be empty
    /// Paragraphs of other concepts' articles that correspond to this concept in part, cited at
    /// paragraph level (malicious software: "budapest:6(1)(a)(i)", "un-2024:11(1)(a)(i)").
    std::vector<std::string> corresponds;
};

/// What a party has done with one instrument, as of `as_of`.
struct PartyInstrument {
    std::string instrument;
    std::string signed_on;  ///< YYYY-MM-DD or empty
    std::string ratified;   ///< ratification, acceptance, approval or accession; or empty
    /// ratification, accession, acceptance, approval, succession, definitive_signature; or empty
    std::string consent_kind;
    std::string in_force;  ///< date the instrument binds the party; empty when it does not
    std::vector<std::string> reservations;  ///< reservation ids of the instrument, e.g. "29(4)"
    std::vector<std::string> declarations;  ///< free-text summary of declarations
    bool reservations_complete{false};      ///< false: the party's reservations are not all encoded
    std::string source;
    std::string as_of;
    std::string note;  ///< free text, may be empty
    Verification verification{Verification::kUnverified};
    /// The status chart (parties/charts/<instrument>.tsv) the entry was read from; empty for an
    /// entry of a hand-written parties/<CODE>.toml file, which overrides the chart row.
    std::filesystem::path chart;
};

/// A designated authority of a party (central authority, 24/7 point of contact, ...).
struct Authority {
    std::string role;  ///< a role.* key: central_authority, contact_point_24_7, ...
    std::string name;
    std::string instrument;  ///< instrument under which it is designated, may be empty
    std::string article;     ///< article of that instrument under which it was declared, or empty
    std::string note;        ///< scope of the designation (e.g. "before criminal proceedings")
    std::string source;      ///< where the designation is published
    std::string as_of;       ///< date of the declaration or of the source
    Verification verification{Verification::kUnverified};
};

/// A state or organisation that can send or receive requests.
struct Party {
    std::string code;  ///< ISO 3166-1 alpha-2 (or "EU")
    Localized name;
    std::vector<std::string> groups;     ///< e.g. "eu" (member state), "coe"
    std::vector<std::string> languages;  ///< languages in which it accepts requests
    std::vector<PartyInstrument> instruments;
    std::vector<Authority> authorities;
    std::string source;
    std::string as_of;
    std::filesystem::path file;

    /// The party's record for `instrument`, or nullptr.
    [[nodiscard]] const PartyInstrument* Find(std::string_view instrument) const;
    /// True when the instrument binds the party on `date` (YYYY-MM-DD).
    [[nodiscard]] bool BoundBy(std::string_view instrument, std::string_view date) const;
};

/// Where a party stands with an instrument on a given date.
enum class PartyStatus : std::uint8_t {
    kSigned,         ///< signed only: no consent to be bound recorded
    kNotYetInForce,  ///< consent given, but the instrument does not bind it yet (or has no date)
    kInForce,        ///< the instrument binds the party on the date
    kUnknown,        ///< listed in a chart, but its signature and consent were not read
};

/// "signed", "not_in_force", "in_force" or "unknown".
std::string_view PartyStatusName(PartyStatus s);

/// One party's entry for an instrument, with its status on the date asked about.
struct InstrumentParty {
    const Party* party{nullptr};
    const PartyInstrument* entry{nullptr};
    PartyStatus status{PartyStatus::kSigned};
};

struct Catalog;

/// Every party (and signatory) of `instrument` in the catalog, by code, with its status on `date`
/// (YYYY-MM-DD). Empty for an instrument nobody is recorded for.
std::vector<InstrumentParty> PartiesTo(
    const Catalog& catalog, std::string_view instrument, std::string_view date
);

/// The declared shape of one field of a request form.
struct FieldSpec {
    std::string name;
    std::string type;  ///< text, authority, ip_endpoint, timestamp, ... (docs/legal-data.md)
    bool required{false};
    bool list{false};
    std::vector<std::string> values;  ///< allowed values for type "enum" / "data_categories"
    std::vector<std::string> cites;   ///< articles that require or define the field
    std::string definition;           ///< shared term shown beside it, e.g. "traffic_data"
    std::size_t max_length{0};  ///< bytes of UTF-8 in each string of the value (required, > 0)
    std::size_t max_items{0};   ///< entries of a list field (required for lists, > 0)
};

/// Size limits of the members of a request outside `fields` ([limits] of request-types.toml).
struct RequestLimits {
    std::size_t name_length{0};  ///< ids, codes, names, roles, e-mail, provisions: each string
    std::size_t text_length{0};  ///< free text outside fields (emergency facts)
    std::size_t offences{0};     ///< entries of "offences"
};

/// A deadline or duration attached to a legal basis.
struct Deadline {
    std::string kind;  ///< respond_within, preserve_at_least, preserve_up_to, ...
    std::int64_t amount{0};
    std::string unit;  ///< hours, days, working_days; empty for "as soon as possible"
    std::string cite;
    std::string when{"always"};  ///< always, emergency (only then), not_emergency
};

/// Which issuing roles may ask for which data categories under a basis.
struct IssuerRule {
    std::vector<std::string> categories;
    std::vector<std::string> roles;            ///< roles allowed to issue on their own
    std::vector<std::string> validator_roles;  ///< roles whose validation makes others allowed
    std::string cite;
};

/// The values of one enum field that a basis provides for (e.g. UNCAC 46(18): the hearing of a
/// witness or an expert); another value draws a warning, never an error: the requested party
/// may still agree under its own law.
struct ValueRule {
    std::string field;
    std::vector<std::string> values;
    std::string cite;
};

/// One legal basis on which a request type can be made.
struct Basis {
    std::string instrument;
    std::string article;  ///< article id in that instrument
    std::string cite;     ///< full citation, e.g. "budapest:29"
    /// not_required, required, discretionary, or deemed (satisfied if the conduct is criminal)
    std::string dual_criminality;
    std::string dual_criminality_cite;
    std::string reservation_effect;  ///< reservation effect that restores dual criminality
    std::string addressee;           ///< state, service_provider, registrar
    std::vector<Deadline> deadlines;
    std::vector<std::string> refusal_grounds;
    std::vector<IssuerRule> issuer_rules;
    std::vector<std::string> emergency_cites;  ///< definition of emergency relied on
    /// Risks (value.* keys) that establish an emergency under this basis (life, safety,
    /// physical_integrity, critical_infrastructure), as its definition of emergency lists them.
    std::vector<std::string> emergency_risks;
    /// "all" or "own": the basis covers only offences established by its own instrument.
    std::string offence_scope{"all"};
    std::string offence_scope_cite;
    /// The paragraph leaving further refusals to the requested party's law and treaties
    /// (Budapest 25(4), 24(5)); empty when the instrument lists its grounds exhaustively.
    std::string refusal_law_cite;
    std::vector<ValueRule> value_rules;
};

/// A request form: fields and the bases that allow it.
struct RequestType {
    std::string id;
    Localized name;
    bool emergency{false};          ///< the request must establish an emergency
    bool emergency_allowed{false};  ///< it may (EPOC: 8 hours instead of 10 days)
    bool offences_required{true};   ///< the request must name at least one offence
    std::vector<FieldSpec> fields;
    std::vector<Basis> bases;

    [[nodiscard]] const FieldSpec* FindField(std::string_view field_name) const;
    [[nodiscard]] const Basis* FindBasis(std::string_view instrument) const;
};

/// A ground on which the receiver may refuse.
struct RefusalGround {
    std::string id;
    Localized text;
    std::vector<std::string> cites;
    /// Data categories for which the ground can arise at all (EPOC grounds follow an Art 8
    /// notification, which concerns traffic and content data); empty: always.
    std::vector<std::string> categories;
};

/// An offence a party has established in its own law, beyond those of the instruments it is
/// bound by (instruments/criminalisation/<CODE>.toml).
struct NationalOffence {
    std::string concept_id;
    std::string law;  ///< the provision, e.g. "Penal Code, art. 222-37"
    std::string source;
    std::string as_of;
    Verification verification{Verification::kUnverified};
};

/// Everything the legal module knows, loaded from one instruments directory.
struct Catalog {
    std::map<std::string, Instrument, std::less<>> instruments;
    std::map<std::string, Concept, std::less<>> concepts;
    std::map<std::string, Party, std::less<>> parties;
    std::map<std::string, RequestType, std::less<>> request_types;
    std::map<std::string, RefusalGround, std::less<>> refusal_grounds;
    RequestLimits limits;
    /// National offences by party code.
    std::map<std::string, std::vector<NationalOffence>, std::less<>> national_offences;
    /// Interface texts keyed by dotted key ("field.summary_of_facts", "finding.field_missing").
    std::map<std::string, Localized, std::less<>> messages;
    std::filesystem::path dir;

    /// The article named by a citation "ID:ARTICLE" or "ID:ARTICLE(para)...", or nullptr.
    [[nodiscard]] const Article* FindCitation(std::string_view citation) const;
    /// The message `key` in `lang`; the key itself when it is unknown (a bug the tests catch).
    [[nodiscard]] std::string Text(std::string_view key, std::string_view lang) const;
};

/// The instruments directory of this source tree (compile-time default), overridden at run time by
/// the environment variable CONCORD_INSTRUMENTS_DIR when it is set and non-empty.
std::filesystem::path DefaultInstrumentsDir();

/// Loads every instrument (`<dir>/*.toml` with `kind = "instrument"`), concepts.toml,
/// request-types.toml, refusal-grounds.toml, the status charts parties/charts/*.tsv, the
/// hand-written parties/*.toml (whose entries override chart rows) and i18n/*.toml, and checks that
/// every cross-reference resolves and every text exists in all six languages.
/// Errors are kInvalidArgument (kNotFound for a missing directory) and read
/// "<file>:<line>:<column>: <reason>".
Result<Catalog> LoadCatalog(const std::filesystem::path& instruments_dir);

/// Loads `<dir>/*.toml` party files into `catalog`, replacing parties with the same code (how a
/// signed directory overrides the shipped status data); rows the party has in the status charts
/// stay for instruments the file does not name. Same error format as LoadCatalog.
Result<void> LoadPartiesInto(Catalog& catalog, const std::filesystem::path& dir);

/// Loads the status charts of `<dir>` (names.tsv: the parties' names in the six languages; every
/// other `<instrument>.tsv`: one row per party, docs/legal-data.md "Parties") into `catalog`,
/// creating parties as needed. Strict: an unknown column or code, a bad date, an unknown
/// reservation or a duplicate row is kInvalidArgument "<file>:<line>: <reason>". A missing
/// directory loads nothing.
Result<void> LoadPartyCharts(Catalog& catalog, const std::filesystem::path& dir);

/// Loads `<dir>/*.toml` national-offence files (docs/legal-data.md) into `catalog`, adding to the
/// offences already known for each party. A missing directory is no error.
Result<void> LoadCriminalisationInto(Catalog& catalog, const std::filesystem::path& dir);

/// The shipped example request of `request_type`: examples/<the type, '-' for '_'>.json in the
/// catalogue's folder (the legal tests check that each one passes without errors).
std::filesystem::path ExampleRequestFile(const Catalog& catalog, std::string_view request_type);

}  // namespace concord::legal
