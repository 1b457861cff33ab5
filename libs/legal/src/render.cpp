#include "concord/legal/render.hpp"

#include <fmt/format.h>

#include "message_format.hpp"
#include "request.hpp"

namespace concord::legal {
namespace {

using detail::MessageArgs;
using detail::Request;

class Renderer {
public:
    Renderer(const Catalog& catalog, std::string_view lang, const Request& req)
        : catalog_(catalog), lang_(lang), req_(req) {}

    std::string Render();

private:
    std::string L(std::string_view key) const { return catalog_.Text(key, lang_); }
    std::string M(std::string_view key, const MessageArgs& args) const {
        return detail::FormatMessage(catalog_, key, lang_, args);
    }
    // "label: value" with the language's punctuation (French " : ", Chinese "：").
    void Line(const std::string& label, const std::string& value, int indent = 0) {
        out_ += fmt::format(
            "{:{}}{}\n", "", indent * 2, M("format.line", {{"label", label}, {"value", value}})
        );
    }
    // A label that heads the indented lines after it.
    void Heading(const std::string& label, int indent = 0) {
        out_ += fmt::format("{:{}}{}\n", "", indent * 2, M("format.heading", {{"label", label}}));
    }
    void Item(const std::string& value, int indent) {
        out_ += fmt::format("{:{}}-{}{}\n", "", indent * 2, value.empty() ? "" : " ", value);
    }
    std::string Status(Verification v) const {
        return L("verification." + std::string(VerificationName(v)));
    }
    void Header();
    void Offences();
    void Field(const FieldSpec& spec, const boost::json::value& v, int indent);
    void Value(
        const FieldSpec& spec, const boost::json::value& v, int indent, const std::string* label
    );
    void Object(const boost::json::object& o, int indent);
    std::string FreeText(const boost::json::value& v) const;
    void Definitions(const FieldSpec& spec, int indent);
    std::string Party(const std::string& code) const;
    std::string Number(const boost::json::value& v) const;

    const Catalog& catalog_;
    std::string lang_;
    const Request& req_;
    const RequestType* type_{nullptr};
    std::string out_;
};

std::string Renderer::Party(const std::string& code) const {
    auto it = catalog_.parties.find(code);
    return it == catalog_.parties.end()
               ? code
               : M("format.party",
                   {{"name", std::string(Pick(it->second.name, lang_))}, {"code", code}});
}

// Numbers in the language's digits and separators (ICU); other JSON values as JSON.
std::string Renderer::Number(const boost::json::value& v) const {
    Result<std::string> text =
        v.is_int64()    ? detail::FormatPattern("{n, number}", lang_, {{"n", v.get_int64()}})
        : v.is_uint64() ? detail::FormatPattern(
                              "{n, number}", lang_, {{"n", static_cast<double>(v.get_uint64())}}
                          )
        : v.is_double() ? detail::FormatPattern("{n, number}", lang_, {{"n", v.get_double()}})
                        : Result<std::string>(boost::json::serialize(v));
    return text ? *text : boost::json::serialize(v);
}

// Free text is passed through unchanged and marked, unless it is already in the target language.
std::string Renderer::FreeText(const boost::json::value& v) const {
    std::string text;
    std::string lang = req_.language;
    if (v.is_string()) {
        text = std::string(v.get_string());
    } else if (v.is_object()) {
        text = detail::StringAt(v.get_object(), "text");
        if (std::string l = detail::StringAt(v.get_object(), "lang"); !l.empty()) {
            lang = l;
        }
    }
    if (lang == lang_) {
        return text;
    }
    const std::string mark =
        M("label.needs_translation",
          {{"lang", lang.empty() ? std::string("?") : detail::LanguageName(lang, lang_)}});
    return M("format.free_text", {{"text", text}, {"mark", mark}});
}

void Renderer::Header() {
    out_ += fmt::format("{}\n", Pick(type_->name, lang_));
    if (auto ins = catalog_.instruments.find(req_.instrument); ins != catalog_.instruments.end()) {
        Line(
            L("field.instrument"),
            M("format.instrument",
              {{"title", std::string(Pick(ins->second.title, lang_))},
               {"short_name", ins->second.short_name}})
        );
        if (const Basis* b = type_->FindBasis(req_.instrument)) {
            const Article* a = catalog_.FindCitation(b->cite);
            Line(
                L("label.basis"),
                M("format.citation",
                  {{"cite", b->cite},
                   {"title", a != nullptr ? std::string(Pick(a->title, lang_)) : std::string{}},
                   {"status", Status(a != nullptr ? a->verification : Verification::kUnverified)}})
            );
        }
    }
    Line(L("field.requesting_party"), Party(req_.requesting_party));
    Line(L("field.requested_party"), Party(req_.requested_party));
    if (!req_.date.empty()) {
        Line(L("field.date"), req_.date);
    }
    for (const auto& [key, obj] :
         {std::pair{"issuing_authority", req_.issuer},
          std::pair{"validating_authority", req_.validator}}) {
        if (obj != nullptr) {
            Heading(L(std::string("field.") + key));
            Object(*obj, 1);
        }
    }
    if (req_.emergency != nullptr) {
        Heading(L("field.emergency"));
        Object(*req_.emergency, 1);
    }
}

void Renderer::Object(const boost::json::object& o, int indent) {
    for (const auto& [k, v] : o) {
        std::string key(k);
        std::string label = L("field." + key);
        if (v.is_string()) {
            std::string value(v.get_string());
            if (key == "role") {
                value = L(fmt::format("role.{}", value));
            } else if (key == "risk") {
                value = L(fmt::format("value.{}", value));
            } else if (key == "facts" || key == "name" || key == "text") {
                value = key == "facts" ? FreeText(v) : value;
            }
            Line(label, value, indent);
        } else if (v.is_bool()) {
            Line(label, L(v.get_bool() ? "label.yes" : "label.no"), indent);
        } else if (v.is_object()) {
            Heading(label, indent);
            Object(v.get_object(), indent + 1);
        } else {
            Line(label, Number(v), indent);
        }
    }
}

void Renderer::Offences() {
    if (req_.offences.empty()) {
        return;
    }
    Heading(L("field.offences"));
    for (const detail::OffenceRef& ref : req_.offences) {
        std::string concept_id = ref.concept_id;
        std::string text;
        if (const Article* a = catalog_.FindCitation(ref.article)) {
            concept_id = a->concept_id;
            text =
                M("format.citation",
                  {{"cite", ref.article},
                   {"title", std::string(Pick(a->title, lang_))},
                   {"status", Status(a->verification)}});
        } else if (auto c = catalog_.concepts.find(concept_id); c != catalog_.concepts.end()) {
            text = std::string(Pick(c->second.title, lang_));
        }
        Item(text, 1);
        if (!ref.domestic_law.empty()) {
            Line(L("field.domestic_law"), FreeText(boost::json::value(ref.domestic_law)), 2);
        }
        if (ref.max_penalty_years >= 0) {
            Line(
                L("field.max_penalty_years"), Number(boost::json::value(ref.max_penalty_years)), 2
            );
        }
    }
}

void Renderer::Definitions(const FieldSpec& spec, int indent) {
    if (spec.definition.empty()) {
        return;
    }
    for (const auto& [id, ins] : catalog_.instruments) {
        if (id != req_.instrument) {
            continue;
        }
        if (const Definition* d = ins.FindDefinition(spec.definition)) {
            Line(
                L("label.definition"),
                M("format.definition",
                  {{"text", std::string(Pick(d->text, lang_))},
                   {"cite", id + ":" + d->article},
                   {"status", Status(d->verification)}}),
                indent
            );
        }
    }
}

// Prints one value: as "label: value" when `label` is given, else as a list item.
void Renderer::Value(
    const FieldSpec& spec, const boost::json::value& v, int indent, const std::string* label
) {
    auto put = [&](const std::string& value) {
        if (label != nullptr) {
            Line(*label, value, indent);
        } else {
            Item(value, indent);
        }
    };
    if (spec.type == "text") {
        put(FreeText(v));
    } else if (spec.type == "enum" && v.is_string()) {
        put(L("value." + std::string(v.get_string())));
    } else if (spec.type == "data_categories" && v.is_array()) {
        std::vector<std::string> labels;
        for (const boost::json::value& e : v.get_array()) {
            if (e.is_string()) {
                std::string text = L("value." + std::string(e.get_string()));
                labels.push_back(labels.empty() ? text : detail::LowerInitial(text, lang_));
            }
        }
        put(detail::JoinList(lang_, labels, detail::ListKind::kAnd));
    } else if (v.is_string()) {
        put(std::string(v.get_string()));
    } else if (v.is_bool()) {
        put(L(v.get_bool() ? "label.yes" : "label.no"));
    } else if (v.is_object()) {
        if (label != nullptr) {
            Heading(*label, indent);
        } else {
            Item("", indent);
        }
        Object(v.get_object(), indent + 1);
    } else {
        put(Number(v));
    }
}

void Renderer::Field(const FieldSpec& spec, const boost::json::value& v, int indent) {
    const std::string label = L("field." + spec.name);
    if (spec.list && v.is_array()) {
        Heading(label, indent);
        for (const boost::json::value& e : v.get_array()) {
            Value(spec, e, indent + 1, nullptr);
        }
    } else {
        Value(spec, v, indent, &label);
    }
    Definitions(spec, indent + 1);
}

std::string Renderer::Render() {
    type_ = &catalog_.request_types.at(req_.type);
    Header();
    Offences();
    if (req_.fields != nullptr) {
        for (const FieldSpec& spec : type_->fields) {
            if (const boost::json::value* v = req_.fields->if_contains(spec.name)) {
                Field(spec, *v, 0);
            }
        }
    }
    return out_;
}

}  // namespace

Result<std::string> RenderRequest(
    const Catalog& catalog, std::string_view request_json, std::string_view lang
) {
    if (!IsSupportedLanguage(lang)) {
        return MakeError(
            ErrorCode::kInvalidArgument,
            fmt::format("language '{}' is not one of ar, zh, en, fr, ru, es", lang)
        );
    }
    CONCORD_ASSIGN_OR_RETURN(detail::Request req, detail::ParseRequest(request_json));
    if (!catalog.request_types.contains(req.type)) {
        return MakeError(
            ErrorCode::kInvalidArgument, fmt::format("unknown request type '{}'", req.type)
        );
    }
    Renderer r(catalog, lang, req);
    return r.Render();
}

}  // namespace concord::legal
