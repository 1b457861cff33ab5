#pragma once

#include <string>
#include <vector>

#include "concord/core/result.hpp"
#include "concord/ledger/note.hpp"

namespace concord::cli {

/// Loads a note signing key made by `concord keygen`.
Result<ledger::NoteSigner> LoadSigner(
    const std::string& key_file, const std::string& passphrase_file
);

/// Parses --key arguments: each a verifier key text, or the path of a file holding one.
Result<std::vector<ledger::NoteVerifier>> ParseVerifierArgs(const std::vector<std::string>& args);

}  // namespace concord::cli
