#include <gtest/gtest.h>

#include "concord/crypto/init.hpp"

namespace {

// Initialises libsodium once before any crypto test runs (gtest_main supplies main()).
class CryptoEnvironment : public ::testing::Environment {
public:
    void SetUp() override { ASSERT_TRUE(concord::crypto::Initialize().has_value()); }
};

[[maybe_unused]] ::testing::Environment* const kEnvironment =
    ::testing::AddGlobalTestEnvironment(new CryptoEnvironment);  // gtest takes ownership

}  // namespace
