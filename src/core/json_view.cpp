#include "core/json_view.h"

#include <string>

namespace telemetry {

JsonView::JsonView(const ordered_json& node) : JsonView(of_node(node)) {}

JsonView JsonView::of_node(const ordered_json& node) {
  using V = ordered_json::value_t;
  switch (node.type()) {
    case V::boolean: return boolean(node.get<bool>());
    case V::number_integer: return integer(node.get<std::int64_t>());
    case V::number_unsigned: return unsigned_integer(node.get<std::uint64_t>());
    case V::number_float: return floating(node.get<double>());
    case V::string: return string(node.get_ref<const std::string&>());
    case V::object: return container(Type::kObject, node);
    case V::array: return container(Type::kArray, node);
    case V::null:
    case V::binary:  // never produced by the JSON parser
    case V::discarded:
      break;
  }
  return null();
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
