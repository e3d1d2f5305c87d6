/*
 * libFuzzer target over the virt board's -dtb path (hw/arm/virt-dtb.c): any file
 * given as a device tree is refused with a message or comes back as a valid
 * tree with /chosen patched, never a crash or an out-of-bounds read.
 */
#include <glib.h>
#include <libfdt.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "hw/arm/virt.h"

/* Release builds drop REQUIRE(); a finding must still stop the run. */
#define REQUIRE(c) ((c) ? (void)0 : __builtin_trap())

/* Seeds the corpus (the last argument that is a directory) with the board's own
 * tree, so that runs start from something libfdt accepts. */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    for (int i = *argc - 1; i > 0; i--) {
        struct stat st;
        const char *dir = (*argv)[i];
        if (dir[0] == '-' || stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
            continue;
        }
        VirtDtbConfig cfg = {.ram_size = 256u << 20,
                             .smp = 2,
                             .cpu_compatible = "arm,cortex-a15",
                             .bootargs = "console=ttyAMA0",
                             .initrd_start = 0x48000000,
                             .initrd_end = 0x48100000,
                             .n_mmio = 4};
        size_t len;
        void *blob = virt_dtb_build(&cfg, 0, &len);
        char *path = g_build_filename(dir, "seed-virt.dtb", NULL);
        g_file_set_contents(path, blob, (gssize)len, NULL);
        g_free(path);
        g_free(blob);
        break;
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *err = NULL;
    size_t len = 0;
    void *out = virt_dtb_patch_chosen(data, size, "console=ttyAMA0 quiet", 0x48000000, 0x48001000,
                                      64, &len, &err);
    if (!out) {
        REQUIRE(err && *err);
        g_free(err);
        return 0;
    }
    REQUIRE(fdt_check_full(out, len) == 0);
    int chosen = fdt_path_offset(out, "/chosen");
    REQUIRE(chosen >= 0);
    REQUIRE(!strcmp(fdt_getprop(out, chosen, "bootargs", NULL), "console=ttyAMA0 quiet"));
    /* Touch every property of every node. */
    for (int node = 0; node >= 0; node = fdt_next_node(out, node, NULL)) {
        int prop;
        fdt_for_each_property_offset(prop, out, node)
        {
            const char *name;
            int plen;
            const void *val = fdt_getprop_by_offset(out, prop, &name, &plen);
            REQUIRE(val && name && plen >= 0);
        }
    }
    g_free(out);
    return 0;
}
