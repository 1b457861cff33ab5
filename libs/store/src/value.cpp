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

const Bytes& Row::Blob(std::size_t i) const {
    CONCORD_ASSERT(i < values_.size());
    const auto* v = std::get_if<Bytes>(&values_[i]);
    CONCORD_ASSERT(v != nullptr);
    return *v;
}

}  // namespace concord::store
