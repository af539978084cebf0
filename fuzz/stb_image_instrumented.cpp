// A fuzzing build compiles stb_image's implementation (from Debian's libstb-dev header) into the instrumented
// image library instead of linking Debian's prebuilt libstb, so the fuzzer's coverage reaches into the decoder.
#define STB_IMAGE_IMPLEMENTATION
#include <stb/stb_image.h>
