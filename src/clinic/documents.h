// Library results as stored documents: the JSON text exactly as produced, with the version and
// schema from its `"scarscope": {"version", "schema"}` stamp lifted out so the record can say
// what made it without interpreting the rest.
#pragma once
#include <string>

#include "clinic/records.h"

namespace scarscope::clinic {

// Parses `json_text` (which must be a JSON object) and reads its "scarscope" stamp. Throws
// InputError naming `what` when the text is not a JSON object (bad_format) or has no stamp
// (missing_field "scarscope.version" / "scarscope.schema"). The text is kept byte for byte.
StoredDocument stored_document(std::string json_text, const std::string& what = "document");

// True if `json_text` parses as a JSON object (for clinician inputs and partial profiles).
bool is_json_object(const std::string& json_text);

}  // namespace scarscope::clinic
