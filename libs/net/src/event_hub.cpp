#include "concord/net/event_hub.hpp"

#include <charconv>
#include <utility>

namespace concord::net {

EventHub::EventHub(size_t capacity) : capacity_(capacity == 0 ? 1 : capacity) {}

uint64_t EventHub::Publish(std::string event, std::string data) {
    MutexLock lock(mu_);
    if (closed_) {
        return 0;
    }
    uint64_t id = next_id_++;
    events_.push_back(Event{id, std::move(event), std::move(data)});
    while (events_.size() > capacity_) {
        events_.pop_front();
    }
    // Listeners only post work to their connection's strand, so calling them under the lock is
    // cheap, and it makes RemoveListener a barrier: no call is in progress once it returns.
    for (auto& [handle, wake] : listeners_) {
        wake();
    }
    return id;
}

std::vector<Event> EventHub::Since(uint64_t last_id, bool* gap) const {
    MutexLock lock(mu_);
    std::vector<Event> out;
    if (gap != nullptr) {
        uint64_t oldest = events_.empty() ? next_id_ : events_.front().id;
        *gap = last_id + 1 < oldest && last_id + 1 < next_id_;
    }
    for (const auto& event : events_) {
        if (event.id > last_id) {
            out.push_back(event);
        }
    }
    return out;
}

uint64_t EventHub::LastId() const {
    MutexLock lock(mu_);
    return next_id_ - 1;
}

void EventHub::Close() {
    MutexLock lock(mu_);
    if (closed_) {
        return;
    }
    closed_ = true;
    for (auto& [handle, wake] : listeners_) {
        wake();
    }
}

bool EventHub::Closed() const {
    MutexLock lock(mu_);
    return closed_;
}

uint64_t EventHub::AddListener(std::function<void()> wake) {
    MutexLock lock(mu_);
    uint64_t handle = next_listener_++;
    listeners_.emplace(handle, std::move(wake));
    return handle;
}

void EventHub::RemoveListener(uint64_t handle) {
    MutexLock lock(mu_);
    listeners_.erase(handle);
}

std::string FormatEvent(const Event& event) {
    std::string out = "id: " + std::to_string(event.id) + "\n";
    if (!event.event.empty()) {
        // A newline in the type would start a new field; the type is code, but be safe.
        std::string type = event.event;
        for (char& c : type) {
            if (c == '\n' || c == '\r') {
                c = ' ';
            }
        }
        out += "event: " + type + "\n";
    }
    std::string_view data = event.data;
    size_t start = 0;
    while (true) {
        size_t end = data.find_first_of("\r\n", start);
        std::string_view line = data.substr(
            start, end == std::string_view::npos ? std::string_view::npos : end - start
        );
        out += "data: ";
        out += line;
        out += "\n";
        if (end == std::string_view::npos) {
            break;
        }
        start = end + 1;
        if (data[end] == '\r' && start < data.size() && data[start] == '\n') {
            ++start;
        }
    }
    out += "\n";
    return out;
}

void EventStreamParser::Feed(
    std::string_view bytes, const std::function<void(const Event&)>& on_event
) {
    for (char c : bytes) {
        if (c == '\n' && last_was_cr_) {
            last_was_cr_ = false;
            continue;
        }
        last_was_cr_ = c == '\r';
        if (c == '\n' || c == '\r') {
            std::string line = std::move(pending_);
            pending_.clear();
            Line(line, on_event);
        } else {
            pending_.push_back(c);
        }
    }
}

void EventStreamParser::Line(
    std::string_view line, const std::function<void(const Event&)>& on_event
) {
    if (line.empty()) {
        if (has_data_) {
            current_.id = last_id_;
            on_event(current_);
        }
        current_ = Event{};
        has_data_ = false;
        return;
    }
    if (line.front() == ':') {
        return;
    }
    size_t colon = line.find(':');
    std::string_view field = line.substr(0, colon);
    std::string_view value;
    if (colon != std::string_view::npos) {
        value = line.substr(colon + 1);
        if (!value.empty() && value.front() == ' ') {
            value.remove_prefix(1);
        }
    }
    if (field == "data") {
        if (has_data_) {
            current_.data.push_back('\n');
        }
        current_.data += value;
        has_data_ = true;
    } else if (field == "event") {
        current_.event = std::string(value);
    } else if (field == "id") {
        uint64_t id = 0;
        auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), id);
        if (ec == std::errc{} && ptr == value.data() + value.size()) {
            last_id_ = id;
        }
    }
}

}  // namespace concord::net
