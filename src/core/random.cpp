#include "core/random.h"

#include <cmath>

namespace scarscope {
namespace {

std::uint64_t rotate_left(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

}  // namespace

std::uint64_t splitmix64(std::uint64_t& state) {
  state += 0x9E3779B97F4A7C15ULL;
  std::uint64_t z = state;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

std::uint64_t mix64(std::uint64_t value) {
  std::uint64_t state = value;
  return splitmix64(state);
}

std::uint64_t stable_hash(std::string_view name) {
  std::uint64_t hash = 0xCBF29CE484222325ULL;
  for (const char c : name) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 0x100000001B3ULL;
  }
  return mix64(hash);
}

Random::Random(std::uint64_t seed) : seed_(seed) {
  std::uint64_t state = seed;
  for (auto& word : state_) word = splitmix64(state);
}

Random Random::from_state(const std::array<std::uint64_t, 4>& state) {
  Random random(0);
  random.state_ = state;
  random.has_spare_ = false;
  return random;
}

Random Random::fork(std::uint64_t stream) const {
  return Random(mix64(seed_ ^ mix64(stream + 0x632BE59BD9B4E019ULL)));
}

std::uint64_t Random::next_u64() {
  const std::uint64_t result = rotate_left(state_[1] * 5, 7) * 9;
  const std::uint64_t t = state_[1] << 17;
  state_[2] ^= state_[0];
  state_[3] ^= state_[1];
  state_[1] ^= state_[2];
  state_[0] ^= state_[3];
  state_[2] ^= t;
  state_[3] = rotate_left(state_[3], 45);
  return result;
}

double Random::uniform() { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }

double Random::uniform(double low, double high) { return low + (high - low) * uniform(); }

std::int64_t Random::uniform_int(std::int64_t low, std::int64_t high) {
  if (high <= low) return low;
  const std::uint64_t range = static_cast<std::uint64_t>(high - low) + 1;
  if (range == 0) return static_cast<std::int64_t>(next_u64());  // the full 64-bit range
  // Rejection keeps every value equally likely.
  const std::uint64_t limit = UINT64_MAX - UINT64_MAX % range;
  std::uint64_t draw = next_u64();
  while (draw >= limit) draw = next_u64();
  return low + static_cast<std::int64_t>(draw % range);
}

bool Random::chance(double p) { return uniform() < p; }

double Random::gaussian() {
  if (has_spare_) {
    has_spare_ = false;
    return spare_;
  }
  double u = 0.0;
  double v = 0.0;
  double s = 0.0;
  do {
    u = 2.0 * uniform() - 1.0;
    v = 2.0 * uniform() - 1.0;
    s = u * u + v * v;
  } while (s >= 1.0 || s == 0.0);
  const double factor = std::sqrt(-2.0 * std::log(s) / s);
  spare_ = v * factor;
  has_spare_ = true;
  return u * factor;
}

std::int64_t Random::poisson(double mean) {
  if (!(mean > 0.0)) return 0;
  if (mean > 60.0) {
    const double draw = std::floor(gaussian(mean, std::sqrt(mean)) + 0.5);
    return draw < 0.0 ? 0 : static_cast<std::int64_t>(draw);
  }
  const double limit = std::exp(-mean);
  std::int64_t count = 0;
  double product = uniform();
  while (product > limit) {
    ++count;
    product *= uniform();
  }
  return count;
}

}  // namespace scarscope
