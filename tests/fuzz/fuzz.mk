# Builds the libFuzzer targets with clang, ASan and UBSan, apart from the
# gcc build: run.sh calls it in the build tree's tests/fuzz with
#   SRCDIR (the source tree), BUILDDIR (where config.h is), FUZZ_CC,
#   FUZZ_CPPFLAGS and FUZZ_LIBS (the libraries' flags, from configure).
# Objects are kept, so only what changed is built again.
TARGETS := fuzz_http fuzz_sse fuzz_ndjson fuzz_eventstream fuzz_jsonl fuzz_options fuzz_jscan fuzz_metrics
ENGINE := $(wildcard $(SRCDIR)/src/*.c $(SRCDIR)/src/net/*.c $(SRCDIR)/src/proto/*.c) \
	$(SRCDIR)/src/cmd/options.c $(SRCDIR)/src/cmd/config_file.c
OBJS := $(patsubst $(SRCDIR)/%.c,obj/%.o,$(ENGINE))
SAN := -fsanitize=address,undefined -fno-sanitize-recover=undefined
CFLAGS := -g -O1 -fno-omit-frame-pointer $(SAN) -pthread
CPPFLAGS := -I$(BUILDDIR) -I$(SRCDIR)/src $(FUZZ_CPPFLAGS)

all: $(TARGETS)

obj/%.o: $(SRCDIR)/%.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(CFLAGS) -fsanitize=fuzzer-no-link $(CPPFLAGS) -MMD -MP -c $< -o $@

fuzz_%: $(SRCDIR)/tests/fuzz/fuzz_%.c $(SRCDIR)/tests/fuzz/fuzz_split.h $(OBJS)
	$(FUZZ_CC) $(CFLAGS) -fsanitize=fuzzer $(CPPFLAGS) $< $(OBJS) $(FUZZ_LIBS) -o $@

-include $(OBJS:.o=.d)
.PHONY: all
