# Turns lua/lumo/*.lua into a C table of {module name, source} pairs.
# Invoked by the build with -DOUT=<file.c> -DSOURCES=<list>.
string(REPLACE "|" ";" SOURCES "${SOURCES}")
set(body "")
foreach(src ${SOURCES})
  get_filename_component(name ${src} NAME_WE)
  file(READ ${src} hex HEX)
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," hex "${hex}")
  string(APPEND body "static const char mod_${name}[] = {${hex} 0};\n")
  list(APPEND entries "  {\"lumo.${name}\", mod_${name}, sizeof mod_${name} - 1},\n")
endforeach()
string(JOIN "" entries_str ${entries})
file(WRITE ${OUT}.tmp
  "/* Generated from the .lua files under lua/lumo/ by scripts/embed_lua.cmake. */\n"
  "#include \"lua/embedded.h\"\n${body}"
  "const struct embedded_lua embedded_lua[] = {\n${entries_str}  {0, 0, 0}};\n")
file(COPY_FILE ${OUT}.tmp ${OUT} ONLY_IF_DIFFERENT)
