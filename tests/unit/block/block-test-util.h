/* Helpers shared by the block layer unit tests: scratch files, patterns,
 * running qemu-img/qemu-io as an oracle. */
#ifndef MIMIC_TESTS_BLOCK_TEST_UTIL_H
#define MIMIC_TESTS_BLOCK_TEST_UTIL_H

#include "block/block.h"

#include <check.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A fresh scratch directory for this process; returns path of name in it. */
const char *bt_path(const char *name);
bool bt_have_qemu(void);
/* Runs a shell command (printf-style); returns its exit status. Output goes
 * to *out (malloc'd) when out != NULL. */
int bt_run(char **out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void bt_fill(uint8_t *buf, size_t len, uint64_t seed);
/* Writes the expected image contents as a raw file (for qemu-img compare). */
void bt_write_file(const char *path, const void *buf, size_t len);
uint8_t *bt_read_file(const char *path, size_t *len);
/* Asserts that the whole disk reads back as expected through our API. */
void bt_assert_contents(BlockDev *bs, const uint8_t *expect, uint64_t len);
/* Asserts qemu-img check is clean and the image equals expect (if qemu). */
void bt_assert_qemu_agrees(const char *image, const uint8_t *expect, uint64_t len);
BlockDev *bt_open(const char *path, int flags);
/* Our block status over the whole disk, printed like
 * `qemu-img map --output=json` (malloc'd). */
char *bt_map_json(const char *img);

#endif
