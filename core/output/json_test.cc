// JsonWriter: nesting, commas, escaping (control chars, quotes, invalid UTF-8).
#include "core/output/json.h"

#include "tests/testing.h"

using bpfd::JsonWriter;

TEST(nested_objects_and_arrays) {
  JsonWriter w;
  w.BeginObject().Key("a").Int(-1).Key("b").BeginArray().Uint(1).Uint(2).EndArray();
  w.Key("c").BeginObject().EndObject().Key("d").Bool(true).Key("e").Null().EndObject();
  EXPECT_EQ(w.str(), std::string(R"({"a":-1,"b":[1,2],"c":{},"d":true,"e":null})"));
}

TEST(array_of_objects) {
  JsonWriter w;
  w.BeginArray();
  for (int i = 0; i < 2; ++i) w.BeginObject().Key("i").Int(i).EndObject();
  w.EndArray();
  EXPECT_EQ(w.str(), std::string(R"([{"i":0},{"i":1}])"));
}

TEST(escaping) {
  JsonWriter w;
  w.String(std::string("q\"b\\n\n\x01\xff ok \xc3\xa9", 14));
  EXPECT_EQ(w.str(), std::string("\"q\\\"b\\\\n\\n\\u0001\\u00ff ok \xc3\xa9\""));
}

TEST_MAIN()
