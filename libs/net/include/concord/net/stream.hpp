#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string_view>

#include "concord/core/result.hpp"

namespace concord::net {

/// A body read piece by piece, so a body of any size crosses the process in constant memory.
/// The server hands one to a streaming route's handler (Router::AddStreaming) for the request
/// body; HttpClient::Upload pulls the body to send from one.
class BodySource {
public:
    virtual ~BodySource() = default;
    /// Fills the front of `buffer` (not empty) with the next bytes of the body and returns how
    /// many; 0 means the body has ended. On the server: kUnavailable when the client went away,
    /// stalled longer than io_timeout or the server is stopping, kInvalidArgument when the body
    /// exceeds the route's limit (the server then answers 413 whatever the handler returns);
    /// once it failed, every further call fails the same way. Calls must not overlap.
    virtual Result<size_t> Read(std::span<std::uint8_t> buffer) = 0;
};

/// A BodySource over bytes in memory (tests, and Router::Dispatch of a streaming route).
class MemoryBodySource final : public BodySource {
public:
    /// Reads `data`, which must outlive the source.
    explicit MemoryBodySource(std::string_view data) : data_(data) {}
    Result<size_t> Read(std::span<std::uint8_t> buffer) override;

private:
    std::string_view data_;
};

/// Produces a response body piece by piece: fills the front of the buffer it is given and
/// returns how many bytes it wrote, 0 at the end. An error ends the response early (the
/// connection is closed, so the client sees a truncated body, never a wrong one). Called from a
/// handler thread, one call at a time; it may block (e.g. on a disk read).
using BodyProducer = std::function<Result<size_t>(std::span<std::uint8_t>)>;

/// Receives a downloaded body piece by piece, in order (HttpClient::Download). An error stops
/// the transfer and is returned by Download.
using BodySink = std::function<Result<void>(std::span<const std::uint8_t>)>;

/// Settings of one streaming route (Router::AddStreaming).
struct StreamOptions {
    /// The largest request body accepted, in bytes (may be many GiB). A larger Content-Length
    /// is answered 413 `too_large` before the handler runs; a chunked body crossing it makes
    /// the BodySource fail and the answer 413. Either way the connection is closed.
    std::uint64_t max_body_bytes = std::uint64_t{1} << 30;
};

}  // namespace concord::net
