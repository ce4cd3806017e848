#pragma once
// One JSON value, seen without being owned: what the field rules and the value
// rules of core/lax_values read. A view is made either from a DOM node (HTTP
// bodies, and every buffer line the flat decoder leaves to nlohmann) or by the
// flat decoder of buffer lines (core/json_fast_decode), which builds no DOM for
// a line's scalar members. The rules cannot tell the two apart:
//
//   Invariant: a view made by the flat decoder describes the value exactly as
//   a view of nlohmann's DOM node for the same text would (type, number kind,
//   decoded string), and to_json() rebuilds that node.
//
// A view borrows: the text, the decoder's buffers or the DOM node it was made
// from must outlive it.
#include <cstdint>
#include <string_view>
#include <vector>

#include "core/field_error.h"

namespace telemetry {

class JsonView {
 public:
  // nlohmann's value types; kInteger is a negative integer (number_integer),
  // kUnsigned a non-negative one (number_unsigned), as its parser makes them.
  enum class Type { kNull, kBoolean, kInteger, kUnsigned, kFloat, kString, kObject, kArray };

  // A DOM node. Implicit, so that anything holding a node can pass it to a rule.
  JsonView(const ordered_json& node);  // NOLINT(google-explicit-constructor)

  static JsonView null() { return JsonView(Type::kNull); }
  static JsonView boolean(bool value) { JsonView v(Type::kBoolean); v.scalar_.boolean = value; return v; }
  static JsonView integer(std::int64_t value) { JsonView v(Type::kInteger); v.scalar_.integer = value; return v; }
  static JsonView unsigned_integer(std::uint64_t value) {
    JsonView v(Type::kUnsigned);
    v.scalar_.unsigned_integer = value;
    return v;
  }
  static JsonView floating(double value) { JsonView v(Type::kFloat); v.scalar_.floating = value; return v; }
  static JsonView string(std::string_view decoded) { JsonView v(Type::kString); v.string_ = decoded; return v; }

  Type type() const { return type_; }
  bool is_null() const { return type_ == Type::kNull; }
  bool is_boolean() const { return type_ == Type::kBoolean; }
  bool is_number() const { return type_ == Type::kInteger || type_ == Type::kUnsigned || type_ == Type::kFloat; }
  bool is_string() const { return type_ == Type::kString; }
  bool is_object() const { return type_ == Type::kObject; }

  // Each accessor is for its type only.
  bool boolean_value() const { return scalar_.boolean; }        // kBoolean
  std::int64_t integer_value() const { return scalar_.integer; }     // kInteger
  std::uint64_t unsigned_value() const { return scalar_.unsigned_integer; }  // kUnsigned
  double float_value() const { return scalar_.floating; }       // kFloat
  // Any number as a double, as nlohmann's get<double>() converts it.
  double number_as_double() const;
  std::string_view string_value() const { return string_; }    // kString, decoded
  // kObject and kArray: always DOM nodes.
  const ordered_json& container() const { return *scalar_.node; }

  // The value as nlohmann would hold it: for error inputs and stored JSON.
  ordered_json to_json() const;

 private:
  explicit JsonView(Type type) : type_(type) {}
  static JsonView of_node(const ordered_json& node);
  static JsonView container(Type type, const ordered_json& node) { JsonView v(type); v.scalar_.node = &node; return v; }

  Type type_;
  union Scalar {  // the member named by type_ (none for kNull and kString)
    bool boolean;
    std::int64_t integer;
    std::uint64_t unsigned_integer;
    double floating;
    const ordered_json* node;
  } scalar_{};
  std::string_view string_;
};

struct JsonMember {
  std::string_view key;
  JsonView value;
};

// An object's members in order, keys distinct (a DOM object already keeps one
// member per key; the flat decoder declines objects with a repeated key).
using JsonMembers = std::vector<JsonMember>;

// Views of a DOM object's members; `object` must be an object and outlive them.
JsonMembers members_of(const ordered_json& object);
// The object the members came from, rebuilt (error inputs such as `missing`'s).
ordered_json object_to_json(const JsonMembers& members);

}  // namespace telemetry
