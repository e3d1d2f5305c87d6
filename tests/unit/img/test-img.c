/* Unit tests for mimic-img's helpers (tools/img/img-util.c): the size syntax
 * and human sizes qemu-img users type and read, -o lists, the JSON layout. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/img/img.h"

static uint64_t size_of(const char *s)
{
    uint64_t v = 12345;
    ck_assert_msg(img_parse_size(s, &v) == 0, "'%s' rejected", s);
    return v;
}

START_TEST(test_parse_size_ok)
{
    ck_assert_uint_eq(size_of("0"), 0);
    ck_assert_uint_eq(size_of("512"), 512);
    ck_assert_uint_eq(size_of("1k"), 1024);
    ck_assert_uint_eq(size_of("1K"), 1024);
    ck_assert_uint_eq(size_of("1M"), 1048576);
    ck_assert_uint_eq(size_of("1m"), 1048576);
    ck_assert_uint_eq(size_of("2G"), 2147483648ULL);
    ck_assert_uint_eq(size_of("1T"), 1ULL << 40);
    ck_assert_uint_eq(size_of("1P"), 1ULL << 50);
    ck_assert_uint_eq(size_of("7E"), 7ULL << 60);
    ck_assert_uint_eq(size_of("100b"), 100);
    ck_assert_uint_eq(size_of("1.5M"), 1572864);
    ck_assert_uint_eq(size_of("2.5k"), 2560);
    ck_assert_uint_eq(size_of("1.0000001k"), 1024);
    ck_assert_uint_eq(size_of("0x10000"), 65536);
    ck_assert_uint_eq(size_of("  64k"), 65536);
}
END_TEST

START_TEST(test_parse_size_bad)
{
    uint64_t v;
    const char *bad[] = {"",   "k",   "1.5",  "1KB", "1Mb", "1M ", "1e3",
                         "-1", ".5k", "1.1b", "abc", "0x",  "1Q",  "1.k"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ck_assert_msg(img_parse_size(bad[i], &v) == -EINVAL, "'%s' accepted", bad[i]);
    }
    ck_assert_int_eq(img_parse_size("8E", &v), -ERANGE);
    ck_assert_int_eq(img_parse_size("99999999999999999999", &v), -ERANGE);
    ck_assert_int_eq(img_parse_size("9223372036854775807", &v), 0);
    ck_assert_int_eq(img_parse_size("9223372036854775808", &v), -ERANGE);
}
END_TEST

static const char *human(uint64_t v)
{
    static char buf[32];
    img_format_size(v, buf, sizeof(buf));
    return buf;
}

START_TEST(test_format_size)
{
    /* The strings qemu-img prints for these sizes. */
    ck_assert_str_eq(human(0), "0 B");
    ck_assert_str_eq(human(512), "512 B");
    ck_assert_str_eq(human(1024), "1 KiB");
    ck_assert_str_eq(human(1536), "1.5 KiB");
    ck_assert_str_eq(human(100352), "98 KiB");
    ck_assert_str_eq(human(1000448), "977 KiB");
    ck_assert_str_eq(human(1048576), "1 MiB");
    ck_assert_str_eq(human(1234944), "1.18 MiB");
    ck_assert_str_eq(human(10813440), "10.3 MiB");
    ck_assert_str_eq(human(123457024), "118 MiB");
    ck_assert_str_eq(human(1ULL << 40), "1 TiB");
    ck_assert_str_eq(human(5000000000000ULL), "4.55 TiB");
    /* From 1000 of a unit on, the next unit. */
    ck_assert_str_eq(human(1000), "0.977 KiB");
}
END_TEST

START_TEST(test_opts)
{
    ImgOptList l = {0};
    ck_assert(img_opts_parse(&l, "cluster_size=4k,compat=0.10"));
    ck_assert(img_opts_parse(&l, "backing_file=a,,b.qcow2,compat=1.1,help"));
    ck_assert_int_eq(l.n, 4);
    ck_assert(l.help);
    ck_assert_str_eq(img_opts_get(&l, "cluster_size"), "4k");
    ck_assert_str_eq(img_opts_get(&l, "backing_file"), "a,b.qcow2");
    ck_assert_str_eq(img_opts_get(&l, "compat"), "1.1"); /* the later one wins */
    ck_assert_ptr_null(img_opts_get(&l, "size"));
    img_opts_clear(&l);
    ck_assert_int_eq(l.n, 0);

    ck_assert(!img_opts_parse(&l, "cluster_size"));
    img_opts_clear(&l);

    bool b;
    ck_assert(img_parse_bool("on", &b) && b);
    ck_assert(img_parse_bool("off", &b) && !b);
    ck_assert(!img_parse_bool("maybe", &b));
}
END_TEST

START_TEST(test_json_layout)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    JsonWriter w;
    json_init(&w, f);
    json_begin_object(&w, NULL);
    json_uint(&w, "virtual-size", 10485760);
    json_string(&w, "filename", "a \"b\"\n.qcow2");
    json_begin_object(&w, "format-specific");
    json_string(&w, "type", "qcow2");
    json_bool(&w, "corrupt", false);
    json_end_object(&w);
    json_begin_array(&w, "snapshots");
    json_begin_object(&w, NULL);
    json_int(&w, "id", -1);
    json_end_object(&w);
    json_end_array(&w);
    json_begin_array(&w, "empty");
    json_end_array(&w);
    json_end_object(&w);
    json_finish(&w);
    fclose(f);
    const char *expect = "{\n"
                         "    \"virtual-size\": 10485760,\n"
                         "    \"filename\": \"a \\\"b\\\"\\n.qcow2\",\n"
                         "    \"format-specific\": {\n"
                         "        \"type\": \"qcow2\",\n"
                         "        \"corrupt\": false\n"
                         "    },\n"
                         "    \"snapshots\": [\n"
                         "        {\n"
                         "            \"id\": -1\n"
                         "        }\n"
                         "    ],\n"
                         /* qemu's pretty printer (bitmap flags): */
                         "    \"empty\": [\n"
                         "    ]\n"
                         "}\n";
    ck_assert_str_eq(text, expect);
    free(text);
}
END_TEST

START_TEST(test_paths_and_zero)
{
    char *p = img_backing_path("dir/sub/x.qcow2", "base.qcow2");
    ck_assert_str_eq(p, "dir/sub/base.qcow2");
    free(p);
    p = img_backing_path("x.qcow2", "base.qcow2");
    ck_assert_str_eq(p, "base.qcow2");
    free(p);
    p = img_backing_path("dir/x.qcow2", "/abs/base.qcow2");
    ck_assert_str_eq(p, "/abs/base.qcow2");
    free(p);
    p = img_backing_path("dir/x.qcow2", "../b");
    ck_assert_str_eq(p, "dir/../b");
    free(p);

    unsigned char buf[4096] = {0};
    ck_assert(img_is_zero(buf, sizeof(buf)));
    ck_assert(img_is_zero(buf, 0));
    buf[4095] = 1;
    ck_assert(!img_is_zero(buf, sizeof(buf)));
    ck_assert(img_is_zero(buf, 4095));
    buf[0] = 1;
    ck_assert(!img_is_zero(buf, 1));
}
END_TEST

static Suite *img_suite(void)
{
    Suite *s = suite_create("img");
    TCase *tc = tcase_create("util");
    tcase_add_test(tc, test_parse_size_ok);
    tcase_add_test(tc, test_parse_size_bad);
    tcase_add_test(tc, test_format_size);
    tcase_add_test(tc, test_opts);
    tcase_add_test(tc, test_json_layout);
    tcase_add_test(tc, test_paths_and_zero);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(img_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
