#include "concord/store/value.hpp"

#include "concord/core/assert.hpp"

namespace concord::store {

// A wrong column index or type is a bug in the caller's query code, not an input error, so these
// abort (see the contract in value.hpp) instead of returning a Result.

bool Row::IsNull(std::size_t i) const {
    CONCORD_ASSERT(i < values_.size());
    return std::holds_alternative<Null>(values_[i]);
}

std::int64_t Row::Int(std::size_t i) const {
    CONCORD_ASSERT(i < values_.size());
    const auto* v = std::get_if<std::int64_t>(&values_[i]);
    CONCORD_ASSERT(v != nullptr);
    return *v;
}

const std::string& Row::Text(std::size_t i) const {
    CONCORD_ASSERT(i < values_.size());
    const auto* v = std::get_if<std::string>(&values_[i]);
    CONCORD_ASSERT(v != nullptr);
    return *v;
}

std::size_t Row::Index(std::string_view name) const {
    CONCORD_ASSERT(names_ != nullptr);
    const std::vector<std::string>& names = *names_;
    for (std::size_t i = 0; i < names.size() && i < values_.size(); ++i) {
        if (names[i] == name) {
            return i;
        }
    }
    CONCORD_ASSERT(false && "no column of that name in the result");
    return values_.size();
}

const Bytes& Row::Blob(std::size_t i) const {
    CONCORD_ASSERT(i < values_.size());
    const auto* v = std::get_if<Bytes>(&values_[i]);
    CONCORD_ASSERT(v != nullptr);
    return *v;
}

}  // namespace concord::store
