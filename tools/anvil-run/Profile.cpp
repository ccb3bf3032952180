//===- Profile.cpp - anvil-run --profile and --trace ----------------------===//

#include "tools/anvil-run/Profile.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <numeric>

namespace anvil::run {
namespace {

double median(std::vector<double> v) {
  if (v.empty())
    return 0;
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

double nsToMs(uint64_t begin, uint64_t end) {
  return end > begin ? double(end - begin) * 1e-6 : 0.0;
}

/// The length of the UTF-8 sequence starting at s[i] (1-4), or 0 when the
/// bytes there are not one.
size_t utf8Length(const std::string &s, size_t i) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3
                            : (c >> 3) == 0x1E ? 4 : 0;
  if (len == 0 || i + len > s.size())
    return 0;
  uint32_t cp = len == 1 ? c : c & (0x7F >> len);
  for (size_t k = 1; k < len; ++k) {
    unsigned char d = static_cast<unsigned char>(s[i + k]);
    if ((d >> 6) != 0x2)
      return 0;
    cp = cp << 6 | (d & 0x3F);
  }
  // Overlong forms, surrogates and values past U+10FFFF are not UTF-8.
  static const uint32_t minimum[5] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < minimum[len] || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
    return 0;
  return len;
}

} // namespace

std::string jsonString(const std::string &text) {
  std::string out = "\"";
  for (size_t i = 0; i < text.size();) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    size_t len = utf8Length(text, i);
    if (len == 0) {
      out += "\\ufffd";
      ++i;
      continue;
    }
    if (c == '"' || c == '\\') {
      out += '\\';
      out += char(c);
    } else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\u%04x", c);
      out += buf;
    } else {
      out.append(text, i, len);
    }
    i += len;
  }
  return out + "\"";
}

bool ProfileRecorder::addRun(const anvil_profile_entry_t *entries,
                             int32_t count) {
  if (runs.empty()) {
    ops.clear();
    for (int32_t i = 0; i < count; ++i)
      ops.push_back({entries[i].name ? entries[i].name : "",
                     entries[i].op ? entries[i].op : "",
                     entries[i].kernel ? entries[i].kernel : "",
                     entries[i].flops});
  } else if (size_t(count) != ops.size()) {
    return false;
  }
  auto &run = runs.emplace_back();
  for (int32_t i = 0; i < count; ++i)
    run.push_back({entries[i].begin_ns, entries[i].end_ns});
  return true;
}

double ProfileRecorder::medianMs(size_t op) const {
  std::vector<double> t;
  for (const auto &run : runs)
    t.push_back(nsToMs(run[op].first, run[op].second));
  return median(t);
}

double ProfileRecorder::medianRunMs() const {
  std::vector<double> t;
  for (const auto &run : runs)
    if (!run.empty())
      t.push_back(nsToMs(run.front().first, run.back().second));
  return median(t);
}

void ProfileRecorder::printReport(FILE *out, int threads, const char *isa,
                                  double peakGflops) const {
  std::vector<double> ms(ops.size());
  for (size_t i = 0; i < ops.size(); ++i)
    ms[i] = medianMs(i);
  std::vector<size_t> order(ops.size());
  std::iota(order.begin(), order.end(), size_t(0));
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return ms[a] > ms[b]; });
  const double sum = std::accumulate(ms.begin(), ms.end(), 0.0);
  double flops = 0;
  for (const ProfiledOp &o : ops)
    flops += o.flops;
  std::fprintf(out,
               "profile: %zu ops, median of %zu runs, %d thread%s; FMA peak "
               "%.1f GFLOP/s (%s, measured now)\n",
               ops.size(), runs.size(), threads, threads == 1 ? "" : "s",
               peakGflops, isa);
  std::fprintf(out, "%10s %6s %6s %8s %6s  %-36s %s\n", "ms", "%time",
               "cum%", "GFLOP/s", "%peak", "op", "node (kernel)");
  double cum = 0;
  for (size_t i : order) {
    const ProfiledOp &o = ops[i];
    cum += ms[i];
    const double share = sum > 0 ? 100 * ms[i] / sum : 0;
    const double cumShare = sum > 0 ? 100 * cum / sum : 0;
    if (o.flops > 0 && ms[i] > 0) {
      const double gf = o.flops / (ms[i] * 1e6);
      std::fprintf(out, "%10.4f %6.1f %6.1f %8.1f %6.1f  %-36s %s (%s)\n",
                   ms[i], share, cumShare, gf,
                   peakGflops > 0 ? 100 * gf / peakGflops : 0.0, o.op.c_str(),
                   o.name.c_str(), o.kernel.c_str());
    } else {
      std::fprintf(out, "%10.4f %6.1f %6.1f %8s %6s  %-36s %s (%s)\n", ms[i],
                   share, cumShare, "-", "-", o.op.c_str(), o.name.c_str(),
                   o.kernel.c_str());
    }
  }
  const double run = medianRunMs();
  const double gf = run > 0 ? flops / (run * 1e6) : 0;
  std::fprintf(out,
               "total: %.4f ms per run (median; sum of op medians %.4f ms), "
               "%.3f GFLOP, %.1f GFLOP/s, %.1f%% of peak\n",
               run, sum, flops * 1e-9, gf,
               peakGflops > 0 ? 100 * gf / peakGflops : 0.0);
}

bool ProfileRecorder::writeTrace(const std::string &path,
                                 const std::string &model,
                                 std::string &error) const {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    if (!f) {
      error = std::strerror(errno);
      return false;
    }
    const uint64_t origin = runs.empty() || runs.front().empty()
                                ? 0
                                : runs.front().front().first;
    // Microseconds: of a duration, and of a time since the origin.
    auto dur = [](uint64_t begin, uint64_t end) {
      char buf[32];
      std::snprintf(buf, sizeof(buf), "%.3f",
                    end > begin ? double(end - begin) * 1e-3 : 0.0);
      return std::string(buf);
    };
    auto us = [&](uint64_t ns) { return dur(origin, ns); };
    f << "{\"displayTimeUnit\":\"ms\",\"otherData\":{\"model\":"
      << jsonString(model) << "},\"traceEvents\":[\n";
    f << "{\"name\":\"process_name\",\"ph\":\"M\",\"pid\":1,\"tid\":1,"
         "\"args\":{\"name\":"
      << jsonString("anvil " + model) << "}}";
    for (size_t r = 0; r < runs.size(); ++r) {
      const auto &run = runs[r];
      if (run.empty())
        continue;
      f << ",\n{\"name\":\"run " << r << "\",\"cat\":\"run\",\"ph\":\"X\","
        << "\"pid\":1,\"tid\":1,\"ts\":" << us(run.front().first)
        << ",\"dur\":"
        << dur(run.front().first, run.back().second) << "}";
      for (size_t i = 0; i < run.size(); ++i) {
        const ProfiledOp &o = ops[i];
        f << ",\n{\"name\":" << jsonString(o.name.empty() ? o.op : o.name)
          << ",\"cat\":\"op\",\"ph\":\"X\",\"pid\":1,\"tid\":1,\"ts\":"
          << us(run[i].first) << ",\"dur\":"
          << dur(run[i].first, run[i].second)
          << ",\"args\":{\"op\":" << jsonString(o.op)
          << ",\"kernel\":" << jsonString(o.kernel)
          << ",\"flops\":" << uint64_t(o.flops) << ",\"run\":" << r << "}}";
      }
    }
    f << "\n]}\n";
    f.flush();
    if (!f) {
      error = "write failed";
      return false;
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    error = std::strerror(errno);
    std::remove(tmp.c_str());
    return false;
  }
  return true;
}

} // namespace anvil::run
