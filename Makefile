# veto build. Everything lands in $(BUILD); `make V=1` shows commands.
#   make            build/veto (dynamic) and build/veto.static (for the VMs)
#   make unit       build and run the unit tests (ASan + UBSan)
#   make check      every test layer (same as tests/run)
#   make install    the program, man page, /etc/veto and the systemd unit (PREFIX, DESTDIR)

BUILD    ?= build
CC       ?= gcc
CLANG    ?= $(shell command -v clang-19 || command -v clang)
BPFTOOL  ?= bpftool
VMLINUX_BTF ?= /sys/kernel/btf/vmlinux

ifeq ($(V),1)
Q :=
else
Q := @
endif

CFLAGS   ?= -O2 -g
CFLAGS   += -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wno-unused-parameter -Wno-format-truncation \
            -I. -Isrc -I$(BUILD)/gen -MMD -MP
LDLIBS   := -lbpf -lelf -lz -lyaml -lpcre2-8 -lsqlite3 -lpthread -lm
STATIC_LDLIBS := -Wl,--start-group -lbpf -lelf -lz -lyaml -lpcre2-8 -lsqlite3 -lpthread -lm -Wl,--end-group
SANITIZE := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_x86 -Wall -Werror \
              -Wno-unused-function -I$(BUILD)/gen -Ibpf

# Userspace sources: every src/**.c; files ending in _test.c are unit tests.
SRCS       := $(shell find src -name '*.c' ! -name '*_test.c' | sort)
LIB_SRCS   := $(filter-out src/main.c,$(SRCS))
TEST_SRCS  := $(shell find src -name '*_test.c' | sort)
BPF_SRCS   := $(sort $(wildcard bpf/*.bpf.c))
SKELS      := $(patsubst bpf/%.bpf.c,$(BUILD)/gen/%.skel.h,$(BPF_SRCS))

OBJS       := $(patsubst %.c,$(BUILD)/obj/%.o,$(SRCS))
LIB_OBJS   := $(patsubst %.c,$(BUILD)/obj/%.o,$(LIB_SRCS))
ASAN_OBJS  := $(patsubst %.c,$(BUILD)/asan/%.o,$(LIB_SRCS))
TEST_BINS  := $(patsubst src/%_test.c,$(BUILD)/unit/%_test,$(TEST_SRCS))

.DELETE_ON_ERROR:
.SECONDARY:
.PHONY: all unit check clean
all: $(BUILD)/veto $(BUILD)/veto.static

$(BUILD)/gen/vmlinux.h:
	@mkdir -p $(@D)
	@echo "  GEN     $@"
	$(Q)$(BPFTOOL) btf dump file $(VMLINUX_BTF) format c > $@

# System call numbers by name, for syscall64 values and lists (x86-64 and i386).
UNISTD := /usr/include/x86_64-linux-gnu/asm
$(BUILD)/gen/syscalls_%.inc: $(UNISTD)/unistd_%.h
	@mkdir -p $(@D)
	@echo "  GEN     $@"
	$(Q)awk '$$1 == "#define" && $$2 ~ /^__NR_/ && $$3 ~ /^[0-9]+$$/ { sub(/^__NR_/, "", $$2); printf "{ \"%s\", %s },\n", $$2, $$3 }' $< > $@

$(BUILD)/gen/%.bpf.o: bpf/%.bpf.c $(BUILD)/gen/vmlinux.h $(wildcard bpf/*.h bpf/*.def)
	@echo "  BPF     $@"
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/gen/%.skel.h: $(BUILD)/gen/%.bpf.o
	@echo "  SKEL    $@"
	$(Q)$(BPFTOOL) gen skeleton $< name veto_$* > $@

# The store's schema, as a C string (src/store/store.c applies it).
$(BUILD)/gen/schema_sql.inc: src/store/schema.sql
	@mkdir -p $(@D)
	@echo "  GEN     $@"
	$(Q)sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/"/' -e 's/$$/\\n"/' $< > $@

GEN_INC    := $(BUILD)/gen/syscalls_64.inc $(BUILD)/gen/syscalls_32.inc $(BUILD)/gen/schema_sql.inc

$(BUILD)/obj/%.o: %.c | $(SKELS) $(GEN_INC)
	@mkdir -p $(@D)
	@echo "  CC      $@"
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/asan/%.o: %.c | $(SKELS) $(GEN_INC)
	@mkdir -p $(@D)
	@echo "  CC      $@"
	$(Q)$(CC) $(CFLAGS) $(SANITIZE) -c $< -o $@

$(BUILD)/veto: $(OBJS)
	@echo "  LD      $@"
	$(Q)$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/veto.static: $(OBJS)
	@echo "  LD      $@"
	$(Q)$(CC) $(CFLAGS) -static -o $@ $^ $(STATIC_LDLIBS)

$(BUILD)/unit/%_test: src/%_test.c $(ASAN_OBJS)
	@mkdir -p $(@D)
	@echo "  CC      $@"
	$(Q)$(CC) $(CFLAGS) $(SANITIZE) -o $@ $(filter %.c %.o,$^) $(LDLIBS) -lcmocka

unit: $(TEST_BINS)
	$(Q)VETO_TREE_OBJS=$(BUILD)/asan tests/unit/run $(TEST_BINS) tests/unit/tree tests/conformance/selftest

check:
	$(Q)tests/run

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD)/obj $(BUILD)/asan $(BUILD)/unit -name '*.d' 2>/dev/null)

# Static helper programs that run inside the test VMs (tests/vm/*.c, bench/oploop.c).
VM_TOOL_SRCS := $(sort $(wildcard tests/vm/*.c) bench/oploop.c bench/tpcycle.c)
VM_TOOLS     := $(patsubst %.c,$(BUILD)/vm-bin/%,$(notdir $(VM_TOOL_SRCS))) $(BUILD)/vm-bin/abi32
all: $(VM_TOOLS)

# i386 code, assembled and linked without libc (no multilib needed)
$(BUILD)/vm-bin/abi32: tests/vm/abi32.s
	@mkdir -p $(@D)
	@echo "  AS      $@"
	$(Q)as --32 $< -o $@.o && ld -m elf_i386 $@.o -o $@ && rm -f $@.o

vpath %.c tests/vm bench
$(BUILD)/vm-bin/%: %.c $(LIB_OBJS)
	@mkdir -p $(@D)
	@echo "  LD      $@"
	$(Q)$(CC) $(filter-out -MMD -MP,$(CFLAGS)) -static -o $@ $(filter %.c %.o,$^) $(STATIC_LDLIBS)

# Install layout: the binary, its man page (from the --help texts), the policy
# folder and the systemd unit. `make install DESTDIR=/tmp/x` stages it.
PREFIX     ?= /usr/local
SYSCONFDIR ?= /etc
UNITDIR    ?= $(PREFIX)/lib/systemd/system
.PHONY: man install uninstall
man: $(BUILD)/veto.8

$(BUILD)/veto.8: $(BUILD)/veto scripts/man
	@echo "  MAN     $@"
	$(Q)scripts/man $(BUILD)/veto > $@

install: $(BUILD)/veto $(BUILD)/veto.8
	install -D -m 0755 $(BUILD)/veto $(DESTDIR)$(PREFIX)/bin/veto
	install -D -m 0644 $(BUILD)/veto.8 $(DESTDIR)$(PREFIX)/share/man/man8/veto.8
	install -d -m 0700 $(DESTDIR)$(SYSCONFDIR)/veto/policies.d
	test -e $(DESTDIR)$(SYSCONFDIR)/veto/agent.env || \
		install -D -m 0600 dist/agent.env $(DESTDIR)$(SYSCONFDIR)/veto/agent.env
	install -d $(DESTDIR)$(UNITDIR)
	sed -e 's|@BINDIR@|$(PREFIX)/bin|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' dist/veto.service.in \
		> $(DESTDIR)$(UNITDIR)/veto.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/veto.service

# Keeps /etc/veto: the policies and options are the user's.
uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/veto $(DESTDIR)$(PREFIX)/share/man/man8/veto.8 $(DESTDIR)$(UNITDIR)/veto.service
