/*
 * tests/unit/scratch.h: scratch directories for unit tests that remove themselves. Check runs
 * each test case in a process of its own, so the directory goes when that process exits.
 */
#ifndef TESTS_UNIT_SCRATCH_H
#define TESTS_UNIT_SCRATCH_H

#include <check.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char scratch_dirs[4][256];

static int scratch_remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    remove(path);
    return 0;
}

static void scratch_cleanup(void)
{
    for (int i = 0; i < 4; i++) {
        if (scratch_dirs[i][0]) {
            nftw(scratch_dirs[i], scratch_remove_one, 16, FTW_DEPTH | FTW_PHYS);
            scratch_dirs[i][0] = 0;
        }
    }
}

/* Makes $TMPDIR/PREFIX-XXXXXX (default /tmp) into dir, removed when the process exits. */
static inline void scratch_dir(char *dir, size_t size, const char *prefix)
{
    const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    snprintf(dir, size, "%s/%s-XXXXXX", tmp, prefix);
    ck_assert_ptr_nonnull(mkdtemp(dir));
    for (int i = 0; i < 4; i++) {
        if (!scratch_dirs[i][0]) {
            if (i == 0) {
                atexit(scratch_cleanup);
            }
            snprintf(scratch_dirs[i], sizeof(scratch_dirs[i]), "%s", dir);
            return;
        }
    }
    ck_abort_msg("more than 4 scratch directories in one test case");
}

#endif
