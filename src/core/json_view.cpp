#include "core/json_view.h"

#include <string>

namespace telemetry {

JsonView::JsonView(const ordered_json& node) : type_(Type::kNull) {
  using V = ordered_json::value_t;
  switch (node.type()) {
    case V::boolean:
      type_ = Type::kBoolean;
      scalar_.boolean = node.get<bool>();
      break;
    case V::number_integer:
      type_ = Type::kInteger;
      scalar_.integer = node.get<std::int64_t>();
      break;
    case V::number_unsigned:
      type_ = Type::kUnsigned;
      scalar_.unsigned_integer = node.get<std::uint64_t>();
      break;
    case V::number_float:
      type_ = Type::kFloat;
      scalar_.floating = node.get<double>();
      break;
    case V::string:
      type_ = Type::kString;
      string_ = node.get_ref<const std::string&>();
      break;
    case V::object:
      type_ = Type::kObject;
      scalar_.node = &node;
      break;
    case V::array:
      type_ = Type::kArray;
      scalar_.node = &node;
      break;
    case V::null:
    case V::binary:  // never produced by the JSON parser
    case V::discarded:
      break;
  }
}

double JsonView::number_as_double() const {
  switch (type_) {
    case Type::kInteger: return static_cast<double>(scalar_.integer);
    case Type::kUnsigned: return static_cast<double>(scalar_.unsigned_integer);
    case Type::kFloat: return scalar_.floating;
    default: return 0;
  }
}

ordered_json JsonView::to_json() const {
  switch (type_) {
    case Type::kNull: return ordered_json(nullptr);
    case Type::kBoolean: return ordered_json(scalar_.boolean);
    case Type::kInteger: return ordered_json(scalar_.integer);
    case Type::kUnsigned: return ordered_json(scalar_.unsigned_integer);
    case Type::kFloat: return ordered_json(scalar_.floating);
    case Type::kString: return ordered_json(std::string(string_));
    case Type::kObject:
    case Type::kArray: return *scalar_.node;
  }
  return ordered_json(nullptr);
}

JsonMembers members_of(const ordered_json& object) {
  JsonMembers members;
  members.reserve(object.size());
  for (const auto& [key, value] : object.items()) members.push_back(JsonMember{key, JsonView(value)});
  return members;
}

ordered_json object_to_json(const JsonMembers& members) {
  ordered_json object = ordered_json::object();
  auto& pairs = object.get_ref<ordered_json::object_t&>();
  pairs.reserve(members.size());
  // Appended directly: keys are distinct, and emplace would search for each.
  for (const JsonMember& member : members) pairs.emplace_back(std::string(member.key), member.value.to_json());
  return object;
}

}  // namespace telemetry
