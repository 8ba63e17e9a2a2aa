// Exact order statistics for medians over whole grids (the analysis's robust spreads, the height check).
#pragma once
#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <vector>

namespace scarscope {

// The value std::nth_element would put at position k < values.size() of `values` (float or
// double, no NaN), found exactly but without sorting them all: each value's order-preserving
// integer key is counted by its top 16 bits, and nth_element then runs only among the few values
// that share the k-th one's bucket. Reorders `values`.
template <class T>
T kth_smallest(std::vector<T>& values, std::size_t k) {
  static_assert(std::is_same_v<T, float> || std::is_same_v<T, double>);
  using Key = std::conditional_t<sizeof(T) == 4, std::uint32_t, std::uint64_t>;
  constexpr Key kSign = Key{1} << (8 * sizeof(T) - 1);
  const auto bucket_of = [](T v) {
    const Key bits = std::bit_cast<Key>(v);
    const Key key = (bits & kSign) ? ~bits : (bits | kSign);  // negatives reversed, below positives
    return static_cast<std::size_t>(key >> (8 * sizeof(T) - 16));
  };
  std::vector<std::uint32_t> count(65536, 0);
  for (const T v : values) ++count[bucket_of(v)];
  std::size_t bucket = 0, below = 0;
  while (below + count[bucket] <= k) below += count[bucket++];
  std::size_t kept = 0;
  for (const T v : values)
    if (bucket_of(v) == bucket) values[kept++] = v;  // kept <= the index read: nothing unread is overwritten
  const auto middle = values.begin() + static_cast<std::ptrdiff_t>(k - below);
  std::nth_element(values.begin(), middle, values.begin() + static_cast<std::ptrdiff_t>(kept));
  return *middle;
}

}  // namespace scarscope
