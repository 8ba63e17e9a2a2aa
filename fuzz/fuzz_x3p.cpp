// libFuzzer target for the X3P reader. Any InputError (a refusal with a message) is the right
// answer to a bad file; any other exception, a crash, a leak or undefined behaviour is a bug.
// X3P files are zips whose entries carry CRCs, so blind byte flips rarely get past the zip layer:
// the custom mutator below unzips, mutates one entry (main.xml, data.bin, ...) and zips again.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <string_view>

#include "core/error.h"
#include "surface/x3p.h"
#include "surface/zip_archive.h"

extern "C" size_t LLVMFuzzerMutate(uint8_t* data, size_t size, size_t max_size);

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  scarscope::X3pReadOptions options;
  options.max_points = std::uint64_t{1} << 20;  // keeps each run fast; the limit logic is the same
  try {
    const scarscope::HeightMap map =
        scarscope::read_x3p_bytes(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz.x3p", options);
    // What the reader returns must hold together: size, spacing, mask and NaN agree.
    if (map.size() != static_cast<std::size_t>(map.nx()) * static_cast<std::size_t>(map.ny())) std::abort();
    if (!(map.dx_um() > 0.0) || !(map.dy_um() > 0.0) || !std::isfinite(map.dx_um()) || !std::isfinite(map.dy_um())) {
      std::abort();
    }
    for (std::size_t i = 0; i < map.size(); ++i) {
      if ((map.mask()[i] != 0) != std::isfinite(map.heights()[i])) std::abort();
    }
  } catch (const scarscope::InputError&) {
    // A refusal with a message: correct.
  }
  return 0;
}

extern "C" size_t LLVMFuzzerCustomMutator(uint8_t* data, size_t size, size_t max_size, unsigned int seed) {
  std::minstd_rand random(seed);
  if (random() % 4 == 0) return LLVMFuzzerMutate(data, size, max_size);  // the zip structure itself
  try {
    const auto zip = scarscope::ZipReader::from_bytes(std::string_view(reinterpret_cast<const char*>(data), size), "seed");
    const auto& entries = zip.entries();
    if (entries.empty()) return LLVMFuzzerMutate(data, size, max_size);
    const std::size_t victim = random() % entries.size();
    scarscope::ZipWriter writer;
    for (std::size_t i = 0; i < entries.size(); ++i) {
      std::string content = zip.read(static_cast<int>(i), max_size * 4);
      std::string name = entries[i].name;
      if (i == victim) {
        const std::size_t old_size = content.size();
        content.resize(old_size + 64 + old_size / 4);
        const std::size_t new_size =
            LLVMFuzzerMutate(reinterpret_cast<uint8_t*>(content.data()), old_size, content.size());
        content.resize(new_size);
        if (random() % 16 == 0) continue;                       // drop the entry
        if (random() % 16 == 0) name = "folder/" + name;        // move it
      }
      const auto compression = random() % 2 ? scarscope::ZipWriter::Compression::deflate
                                            : scarscope::ZipWriter::Compression::store;
      writer.add(name, std::move(content), compression);
    }
    const std::string bytes = writer.finish();
    if (bytes.size() > max_size) return LLVMFuzzerMutate(data, size, max_size);
    std::memcpy(data, bytes.data(), bytes.size());
    return bytes.size();
  } catch (const std::exception&) {
    return LLVMFuzzerMutate(data, size, max_size);
  }
}
