#include "field_values.hpp"

#include <algorithm>
#include <functional>
#include <map>

#include "concord/legal/field_types.hpp"

namespace concord::legal::detail {
namespace {

using StringCheck = std::function<FieldProblem(std::string_view)>;

void Add(ValueReport& report, const std::string& path, std::string reason) {
    report.problems.push_back({path, std::move(reason)});
}

// A string value checked with `check`; a wrong JSON type is reported as such.
void CheckString(
    const boost::json::value& v, const std::string& path, const StringCheck& check, ValueReport& r
) {
    if (!v.is_string()) {
        Add(r, path, "reason.not_string");
        return;
    }
    if (auto problem = check(v.get_string())) {
        Add(r, path, *problem);
    }
}

// A name or a one-line value as typed by a person.
FieldProblem Name(std::string_view s) {
    return CheckPlainText(s, false);
}

// Free text: several lines allowed.
FieldProblem FreeText(std::string_view s) {
    return CheckPlainText(s, true);
}

// Members of `o` that the shape at `path` does not define: data no check would read.
void OnlyMembers(
    const boost::json::object& o,
    std::initializer_list<std::string_view> known,
    const std::string& path,
    ValueReport& r
) {
    for (const auto& [key, value] : o) {
        if (std::find(known.begin(), known.end(), std::string_view(key)) == known.end()) {
            Add(r, path + "." + std::string(key), "reason.unknown_member");
        }
    }
}

// False (reported with its path) when a string of `v`, at any depth, or a member name is longer
// than `max_length` bytes.
bool WithinLength(
    const boost::json::value& v, const std::string& path, std::size_t max_length, ValueReport& r
) {
    if (v.is_string()) {
        if (v.get_string().size() > max_length) {
            Add(r, path, "reason.too_long");
            return false;
        }
        return true;
    }
    if (v.is_array()) {
        std::size_t i = 0;
        for (const boost::json::value& e : v.get_array()) {
            if (!WithinLength(e, path + "[" + std::to_string(i++) + "]", max_length, r)) {
                return false;
            }
        }
        return true;
    }
    if (v.is_object()) {
        for (const auto& [key, e] : v.get_object()) {
            if (key.size() > max_length) {
                Add(r, path, "reason.too_long");
                return false;
            }
            if (!WithinLength(e, path + "." + std::string(key), max_length, r)) {
                return false;
            }
        }
    }
    return true;
}

// A member of an object: reported missing when `required`.
const boost::json::value* Member(
    const boost::json::object& o,
    std::string_view key,
    const std::string& path,
    bool required,
    ValueReport& r
) {
    const boost::json::value* v = o.if_contains(key);
    if ((v == nullptr || v->is_null()) && required) {
        Add(r, path + "." + std::string(key), "reason.missing");
    }
    return v != nullptr && !v->is_null() ? v : nullptr;
}

const boost::json::object* AsObject(
    const boost::json::value& v, const std::string& path, ValueReport& r
) {
    if (!v.is_object()) {
        Add(r, path, "reason.not_object");
        return nullptr;
    }
    return &v.get_object();
}

void CheckText(const boost::json::value& v, const std::string& path, ValueReport& r) {
    if (v.is_object()) {  // {"text": ..., "lang": ...}
        const boost::json::object& o = v.get_object();
        OnlyMembers(o, {"text", "lang"}, path, r);
        if (const auto* t = Member(o, "text", path, true, r)) {
            CheckString(*t, path + ".text", FreeText, r);
        }
        if (const auto* l = Member(o, "lang", path, true, r)) {
            CheckString(
                *l,
                path + ".lang",
                [](std::string_view s) -> FieldProblem {
                    return IsSupportedLanguage(s) || s.size() == 2
                               ? std::nullopt
                               : FieldProblem("reason.language");
                },
                r
            );
        }
        return;
    }
    CheckString(v, path, FreeText, r);
}

void CheckPerson(const boost::json::value& v, const std::string& path, ValueReport& r) {
    const auto* o = AsObject(v, path, r);
    if (o == nullptr) {
        return;
    }
    OnlyMembers(*o, {"name", "date_of_birth", "nationality"}, path, r);
    if (const auto* name = Member(*o, "name", path, true, r)) {
        CheckString(*name, path + ".name", Name, r);
    }
    if (const auto* dob = Member(*o, "date_of_birth", path, false, r)) {
        CheckString(*dob, path + ".date_of_birth", CheckDate, r);
    }
    if (const auto* nat = Member(*o, "nationality", path, false, r)) {
        CheckString(*nat, path + ".nationality", CheckCountryCode, r);
    }
}

void CheckTimeRange(const boost::json::value& v, const std::string& path, ValueReport& r) {
    const auto* o = AsObject(v, path, r);
    if (o == nullptr) {
        return;
    }
    OnlyMembers(*o, {"from", "to"}, path, r);
    const auto* from = Member(*o, "from", path, true, r);
    const auto* to = Member(*o, "to", path, true, r);
    if (from == nullptr || to == nullptr) {
        return;
    }
    std::size_t before = r.problems.size();
    CheckString(*from, path + ".from", CheckTimestamp, r);
    CheckString(*to, path + ".to", CheckTimestamp, r);
    if (r.problems.size() == before &&
        TimestampSeconds(from->get_string()) >= TimestampSeconds(to->get_string())) {
        Add(r, path, "reason.range_order");
    }
}

void CheckCrypto(
    const boost::json::value& v, const std::string& path, bool in_identifier, ValueReport& r
) {
    const auto* o = AsObject(v, path, r);
    if (o == nullptr) {
        return;
    }
    if (in_identifier) {
        OnlyMembers(*o, {"type", "chain", "address", "timestamp"}, path, r);
    } else {
        OnlyMembers(*o, {"chain", "address"}, path, r);
    }
    const auto* chain = Member(*o, "chain", path, true, r);
    const auto* address = Member(*o, "address", path, true, r);
    if (chain == nullptr || address == nullptr || !chain->is_string()) {
        return;
    }
    std::string_view c = chain->get_string();
    if (c == "bitcoin") {
        CheckString(*address, path + ".address", CheckBitcoinAddress, r);
    } else if (c == "ethereum") {
        CheckString(*address, path + ".address", CheckEthereumAddress, r);
        r.unchecked_checksums.push_back(path + ".address");
    } else {
        CheckString(*address, path + ".address", Name, r);
        r.unchecked_checksums.push_back(path + ".address");
    }
}

void CheckMoney(const boost::json::value& v, const std::string& path, ValueReport& r) {
    const auto* o = AsObject(v, path, r);
    if (o == nullptr) {
        return;
    }
    OnlyMembers(*o, {"amount", "currency"}, path, r);
    if (const auto* amount = Member(*o, "amount", path, true, r)) {
        CheckString(*amount, path + ".amount", CheckAmount, r);
    }
    if (const auto* currency = Member(*o, "currency", path, true, r)) {
        CheckString(*currency, path + ".currency", CheckCurrency, r);
    }
}

void CheckAccount(const boost::json::value& v, const std::string& path, ValueReport& r) {
    const auto* o = AsObject(v, path, r);
    if (o == nullptr) {
        return;
    }
    OnlyMembers(*o, {"service", "identifier"}, path, r);
    for (std::string_view key : {"service", "identifier"}) {
        if (const auto* m = Member(*o, key, path, true, r)) {
            CheckString(*m, path + "." + std::string(key), Name, r);
        }
    }
}

void CheckEnum(
    const boost::json::value& v,
    const std::string& path,
    const std::vector<std::string>& values,
    ValueReport& r
) {
    CheckString(
        v,
        path,
        [&values](std::string_view s) -> FieldProblem {
            return std::find(values.begin(), values.end(), s) != values.end()
                       ? std::nullopt
                       : FieldProblem("reason.not_allowed_value");
        },
        r
    );
}

void CheckCategories(
    const boost::json::value& v,
    const std::string& path,
    const std::vector<std::string>& values,
    ValueReport& r
) {
    if (!v.is_array() || v.get_array().empty()) {
        Add(r, path, "reason.not_list");
        return;
    }
    std::size_t i = 0;
    for (const boost::json::value& e : v.get_array()) {
        CheckEnum(e, path + "[" + std::to_string(i++) + "]", values, r);
    }
}

// The typed identifiers a request can name; IP observations need a port and a zoned timestamp.
void CheckIdentifier(const boost::json::value& v, const std::string& path, ValueReport& r) {
    static const std::map<std::string, StringCheck, std::less<>> kChecks = {
        {"ip_address", CheckIpAddress},
        {"ip_endpoint", [](std::string_view s) { return CheckIpEndpoint(s, true); }},
        {"email", CheckEmail},
        {"phone", CheckPhoneE164},
        {"domain", CheckDomain},
        {"url", CheckUrl},
        {"iban", CheckIban},
        {"account", Name},
        {"imei",
         [](std::string_view s) -> FieldProblem {
             return s.size() == 15 &&
                            std::all_of(
                                s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; }
                            )
                        ? std::nullopt
                        : FieldProblem("reason.imei");
         }},
    };
    const auto* o = AsObject(v, path, r);
    if (o == nullptr) {
        return;
    }
    const auto* type = Member(*o, "type", path, true, r);
    if (type == nullptr || !type->is_string()) {
        return;
    }
    if (type->get_string() == "crypto_address") {
        CheckCrypto(v, path, true, r);
        return;
    }
    OnlyMembers(*o, {"type", "value", "timestamp", "service"}, path, r);
    auto it = kChecks.find(std::string_view(type->get_string()));
    if (it == kChecks.end()) {
        Add(r, path + ".type", "reason.not_allowed_value");
        return;
    }
    if (const auto* value = Member(*o, "value", path, true, r)) {
        CheckString(*value, path + ".value", it->second, r);
    }
    bool is_ip = type->get_string() == "ip_address" || type->get_string() == "ip_endpoint";
    if (const auto* ts = Member(*o, "timestamp", path, is_ip, r)) {
        CheckString(*ts, path + ".timestamp", CheckTimestamp, r);
    }
    if (type->get_string() == "account") {
        if (const auto* service = Member(*o, "service", path, true, r)) {
            CheckString(*service, path + ".service", Name, r);
        }
    }
}

void CheckOne(
    const Catalog& catalog,
    const FieldSpec& spec,
    const boost::json::value& v,
    const std::string& path,
    ValueReport& r
) {
    static const std::map<std::string, StringCheck, std::less<>> kStringTypes = {
        {"ip_endpoint", [](std::string_view s) { return CheckIpEndpoint(s, true); }},
        {"timestamp", CheckTimestamp},
        {"date", CheckDate},
        {"email", CheckEmail},
        {"phone", CheckPhoneE164},
        {"domain", CheckDomain},
        {"url", CheckUrl},
        {"iban", CheckIban},
        {"country", CheckCountryCode},
    };
    const std::string& t = spec.type;
    if (auto it = kStringTypes.find(t); it != kStringTypes.end()) {
        CheckString(v, path, it->second, r);
    } else if (t == "text") {
        CheckText(v, path, r);
    } else if (t == "authority") {
        CheckAuthority(catalog, v, path, r);
    } else if (t == "person") {
        CheckPerson(v, path, r);
    } else if (t == "identifier") {
        CheckIdentifier(v, path, r);
    } else if (t == "time_range") {
        CheckTimeRange(v, path, r);
    } else if (t == "crypto_address") {
        CheckCrypto(v, path, false, r);
    } else if (t == "money") {
        CheckMoney(v, path, r);
    } else if (t == "account") {
        CheckAccount(v, path, r);
    } else if (t == "enum") {
        CheckEnum(v, path, spec.values, r);
    } else if (t == "data_categories") {
        CheckCategories(v, path, spec.values, r);
    } else if (t == "boolean") {
        if (!v.is_bool()) {
            Add(r, path, "reason.not_boolean");
        }
    } else if (t == "integer") {
        if (!v.is_int64() || v.get_int64() < 0) {
            Add(r, path, "reason.not_integer");
        }
    }
}

}  // namespace

void CheckAuthority(
    const Catalog& catalog,
    const boost::json::value& value,
    const std::string& path,
    ValueReport& report
) {
    const auto* o = AsObject(value, path, report);
    if (o == nullptr) {
        return;
    }
    OnlyMembers(*o, {"name", "role", "email", "phone"}, path, report);
    if (const auto* name = Member(*o, "name", path, true, report)) {
        CheckString(*name, path + ".name", Name, report);
    }
    if (const auto* role = Member(*o, "role", path, true, report)) {
        CheckString(
            *role,
            path + ".role",
            [&catalog](std::string_view s) -> FieldProblem {
                return catalog.messages.contains("role." + std::string(s))
                           ? std::nullopt
                           : FieldProblem("reason.not_allowed_value");
            },
            report
        );
    }
    if (const auto* email = Member(*o, "email", path, false, report)) {
        CheckString(*email, path + ".email", CheckEmail, report);
    }
    if (const auto* phone = Member(*o, "phone", path, false, report)) {
        CheckString(*phone, path + ".phone", CheckPhoneE164, report);
    }
}

void CheckFieldValue(
    const Catalog& catalog,
    const FieldSpec& spec,
    const boost::json::value& value,
    const std::string& path,
    ValueReport& report
) {
    if (spec.list && value.is_array() && value.get_array().size() > spec.max_items) {
        Add(report, path, "reason.too_many");
        return;
    }
    if (!WithinLength(value, path, spec.max_length, report)) {
        return;
    }
    if (!spec.list) {
        CheckOne(catalog, spec, value, path, report);
        return;
    }
    if (!value.is_array() || value.get_array().empty()) {
        Add(report, path, "reason.not_list");
        return;
    }
    std::size_t i = 0;
    for (const boost::json::value& e : value.get_array()) {
        CheckOne(catalog, spec, e, path + "[" + std::to_string(i++) + "]", report);
    }
}

}  // namespace concord::legal::detail
