#include "concord/core/log.hpp"

#include <iostream>
#include <mutex>
#include <string>

#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>

#include "concord/core/mutex.hpp"
#include "concord/core/time.hpp"

namespace concord::log {
namespace {

struct Sink {
    Mutex mu;
    std::ostream* out CONCORD_GUARDED_BY(mu) = &std::cerr;
    Level min_level CONCORD_GUARDED_BY(mu) = Level::kInfo;
};

Sink& TheSink() {
    static Sink sink;
    return sink;
}

std::string_view LevelName(Level level) {
    switch (level) {
        case Level::kDebug:
            return "debug";
        case Level::kInfo:
            return "info";
        case Level::kWarning:
            return "warning";
        case Level::kError:
            return "error";
    }
    return "info";
}

void AppendString(std::string& line, std::string_view text) {
    line += boost::json::serialize(boost::json::string(text));
}

}  // namespace

void Configure(std::ostream* out, Level min_level) {
    Sink& sink = TheSink();
    MutexLock lock(sink.mu);
    sink.out = out;
    sink.min_level = min_level;
}

void Write(Level level, std::string_view message, std::initializer_list<Field> fields) {
    Sink& sink = TheSink();
    {
        MutexLock lock(sink.mu);
        if (level < sink.min_level || sink.out == nullptr) {
            return;
        }
    }
    std::string line = "{\"ts\":\"" + FormatTimestamp(NowMillis()) + "\",\"level\":\"";
    line += LevelName(level);
    line += "\",\"msg\":";
    AppendString(line, message);
    for (const Field& f : fields) {
        line += ',';
        AppendString(line, f.key);
        line += ':';
        if (f.is_number) {
            line += std::to_string(f.number);
        } else {
            AppendString(line, f.text);
        }
    }
    line += "}\n";
    MutexLock lock(sink.mu);
    *sink.out << line << std::flush;
}

}  // namespace concord::log
