// The generated parts of docs/legal-data.md are compared with the shipped data, so the document
// cannot drift from request-types.toml and the finding texts.

#include "concord/legal/reference.hpp"

#include <fstream>
#include <set>
#include <sstream>

#include <gtest/gtest.h>

#include "test_support.hpp"

namespace concord::legal {
namespace {

std::string ReadDoc() {
    std::ifstream in(std::string(CONCORD_SOURCE_DIR) + "/docs/legal-data.md");
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// The text between the lines "<!-- NAME:begin -->" and "<!-- NAME:end -->".
std::string Section(const std::string& doc, const std::string& name) {
    const std::string begin = "<!-- " + name + ":begin -->\n";
    const std::string end = "<!-- " + name + ":end -->";
    const std::size_t b = doc.find(begin);
    const std::size_t e = doc.find(end);
    if (b == std::string::npos || e == std::string::npos || e < b) {
        ADD_FAILURE() << "docs/legal-data.md has no section " << name;
        return {};
    }
    return doc.substr(b + begin.size(), e - b - begin.size());
}

TEST(Reference, FieldTablesInTheDocAreThoseOfRequestTypes) {
    const Catalog& catalog = testing::TestCatalog();
    const std::string expected = FieldTablesMarkdown(catalog);
    EXPECT_EQ(Section(ReadDoc(), "fields"), expected)
        << "regenerate with `concord legal fields` and paste between the markers";
    for (const auto& [id, type] : catalog.request_types) {
        EXPECT_NE(expected.find("#### `" + id + "`"), std::string::npos) << id;
        for (const FieldSpec& f : type.fields) {
            EXPECT_NE(expected.find("| `" + f.name + "` |"), std::string::npos) << f.name;
        }
    }
}

// Every finding code that has a text is in the doc's table with its meaning, and the table
// lists no code without a text.
TEST(Reference, EveryFindingCodeIsDocumented) {
    const std::string table = Section(ReadDoc(), "findings");
    std::set<std::string> documented;
    std::istringstream in(table);
    for (std::string line; std::getline(in, line);) {
        if (line.starts_with("| `")) {
            const std::size_t end = line.find('`', 3);
            documented.insert(line.substr(3, end - 3));
            EXPECT_GT(line.size(), end + 10) << "no meaning for " << line;
        }
    }
    std::set<std::string> with_text;
    for (const auto& [key, text] : testing::TestCatalog().messages) {
        if (key.starts_with("finding.")) {
            with_text.insert(key.substr(8));
        }
    }
    EXPECT_EQ(documented, with_text);
}

}  // namespace
}  // namespace concord::legal
