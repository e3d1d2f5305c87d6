/*
 * Tests of mimic's command-line parsing (system/options.c): sizes, -smp
 * forms, -M properties, repeated -serial, and the one-line error messages.
 */
#include "system/options.h"

#include <check.h>
#include <glib.h>
#include <string.h>

/* Parses a NULL-terminated argument list after a program name. */
static bool parse(MimicOptions *o, char **err, ...)
{
    char *argv[64] = {"mimic"};
    int argc = 1;
    va_list ap;
    va_start(ap, err);
    for (char *a; (a = va_arg(ap, char *));) {
        argv[argc++] = a;
    }
    va_end(ap);
    *err = NULL;
    return options_parse(o, argc, argv, err);
}

START_TEST(test_sizes)
{
    uint64_t v;
    ck_assert(options_parse_size("512", 1 << 20, &v));
    ck_assert_uint_eq(v, 512ULL << 20);
    ck_assert(options_parse_size("1G", 1 << 20, &v));
    ck_assert_uint_eq(v, 1ULL << 30);
    ck_assert(options_parse_size("1g", 1 << 20, &v));
    ck_assert_uint_eq(v, 1ULL << 30);
    ck_assert(options_parse_size("256M", 1 << 20, &v));
    ck_assert_uint_eq(v, 256ULL << 20);
    ck_assert(options_parse_size("4k", 1 << 20, &v));
    ck_assert_uint_eq(v, 4096);
    ck_assert(options_parse_size("1.5G", 1 << 20, &v));
    ck_assert_uint_eq(v, 3ULL << 29);
    ck_assert(options_parse_size("2T", 1 << 20, &v));
    ck_assert_uint_eq(v, 2ULL << 40);
    ck_assert(!options_parse_size("12X", 1 << 20, &v));
    ck_assert(!options_parse_size("", 1 << 20, &v));
    ck_assert(!options_parse_size("G", 1 << 20, &v));
    ck_assert(!options_parse_size("-1", 1 << 20, &v));
    ck_assert(!options_parse_size("1GB", 1 << 20, &v));
    ck_assert(!options_parse_size("99999999999E", 1 << 20, &v));
}
END_TEST

START_TEST(test_memory_option)
{
    MimicOptions o;
    char *err;
    ck_assert(parse(&o, &err, "-m", "512", NULL));
    ck_assert_uint_eq(o.ram_size, 512ULL << 20);
    options_free(&o);
    ck_assert(parse(&o, &err, "-m", "size=1G,slots=2,maxmem=4G", NULL));
    ck_assert_uint_eq(o.ram_size, 1ULL << 30);
    options_free(&o);
    ck_assert(parse(&o, &err, "--m", "2G", NULL));
    ck_assert_uint_eq(o.ram_size, 2ULL << 30);
    options_free(&o);
    ck_assert(!parse(&o, &err, "-m", "12X", NULL));
    ck_assert_str_eq(err, "-m 12X: Parameter 'size' expects a non-negative number with an "
                          "optional k, M, G or T suffix");
    g_free(err);
    options_free(&o);
    ck_assert(!parse(&o, &err, "-m", "0", NULL));
    ck_assert_str_eq(err, "-m 0: the RAM size must not be zero");
    g_free(err);
    options_free(&o);
}
END_TEST

START_TEST(test_smp)
{
    int cpus, max;
    char *err = NULL;
    ck_assert(options_parse_smp("4", &cpus, &max, &err));
    ck_assert_int_eq(cpus, 4);
    ck_assert_int_eq(max, 4);
    ck_assert(options_parse_smp("2,maxcpus=8", &cpus, &max, &err));
    ck_assert_int_eq(cpus, 2);
    ck_assert_int_eq(max, 8);
    ck_assert(options_parse_smp("cpus=3", &cpus, &max, &err));
    ck_assert_int_eq(cpus, 3);
    ck_assert(options_parse_smp("sockets=2,cores=2,threads=2", &cpus, &max, &err));
    ck_assert_int_eq(cpus, 8);
    ck_assert_int_eq(max, 8);
    ck_assert(!options_parse_smp("4,maxcpus=2", &cpus, &max, &err));
    ck_assert_str_eq(err, "-smp 4,maxcpus=2: maxcpus (2) must be equal to or greater than smp (4)");
    g_free(err);
    ck_assert(!options_parse_smp("foo", &cpus, &max, &err));
    ck_assert_str_eq(err, "-smp foo: Parameter 'smp.cpus' expects integer");
    g_free(err);
    ck_assert(!options_parse_smp("2,bogus=1", &cpus, &max, &err));
    ck_assert_str_eq(err, "-smp 2,bogus=1: Invalid parameter 'bogus'");
    g_free(err);
    ck_assert(!options_parse_smp("0", &cpus, &max, &err));
    g_free(err);
}
END_TEST

START_TEST(test_machine_properties)
{
    MimicOptions o;
    char *err;
    ck_assert(parse(&o, &err, "-M", "virt,highmem=off,gic-version=3", NULL));
    ck_assert_str_eq(o.machine, "virt");
    ck_assert_str_eq(o.machine_opts[0], "highmem=off");
    ck_assert_str_eq(o.machine_opts[1], "gic-version=3");
    ck_assert_ptr_null(o.machine_opts[2]);
    options_free(&o);

    ck_assert(parse(&o, &err, "-machine", "type=malta,accel=kvm", "-M", "foo=1", NULL));
    ck_assert_str_eq(o.machine, "malta");
    ck_assert_str_eq(o.accel, "kvm");
    ck_assert_str_eq(o.machine_opts[0], "foo=1");
    ck_assert_ptr_null(o.machine_opts[1]);
    options_free(&o);

    ck_assert(parse(&o, &err, "-M", "help", NULL));
    ck_assert_str_eq(o.machine, "help");
    options_free(&o);
}
END_TEST

START_TEST(test_repeated_serial)
{
    MimicOptions o;
    char *err;
    ck_assert(
        parse(&o, &err, "-serial", "stdio", "-serial", "file:/tmp/x", "--serial", "null", NULL));
    ck_assert_int_eq(o.n_serial, 3);
    ck_assert_str_eq(o.serial[0], "stdio");
    ck_assert_str_eq(o.serial[1], "file:/tmp/x");
    ck_assert_str_eq(o.serial[2], "null");
    options_free(&o);
    ck_assert(!parse(&o, &err, "-serial", "null", "-serial", "null", "-serial", "null", "-serial",
                     "null", "-serial", "null", NULL));
    ck_assert_str_eq(err, "-serial null: too many serial ports (at most 4)");
    g_free(err);
    options_free(&o);
}
END_TEST

START_TEST(test_everything_else)
{
    MimicOptions o;
    char *err;
    ck_assert(parse(&o, &err, "-kernel", "vmlinux", "-initrd", "rd.gz", "-append",
                    "console=ttyS0 root=/dev/sda", "-dtb", "x.dtb", "-bios", "fw.bin", "-drive",
                    "file=a.qcow2,if=virtio", "-device", "virtio-net,netdev=n0", "-netdev",
                    "user,id=n0", "-nographic", "-accel", "tcg", "-enable-kvm", "-d", "in_asm,int",
                    "-D", "log.txt", "-s", "-S", "-no-reboot", "-no-shutdown", "-singlestep",
                    "-mem-path", "/dev/hugepages", "-name", "guest", "-cpu", "24Kf", "-smp", "2",
                    "-display", "none", "-monitor", "none", "disk.img", NULL));
    ck_assert_str_eq(o.kernel, "vmlinux");
    ck_assert_str_eq(o.initrd, "rd.gz");
    ck_assert_str_eq(o.append, "console=ttyS0 root=/dev/sda");
    ck_assert_str_eq(o.dtb, "x.dtb");
    ck_assert_str_eq(o.bios, "fw.bin");
    ck_assert_int_eq(o.n_drives, 2);
    ck_assert_str_eq(o.drives[0], "file=a.qcow2,if=virtio");
    ck_assert_str_eq(o.drives[1], "file=disk.img,index=0,media=disk");
    ck_assert_str_eq(o.devices[0], "virtio-net,netdev=n0");
    ck_assert_str_eq(o.netdevs[0], "user,id=n0");
    ck_assert(o.nographic);
    ck_assert_str_eq(o.accel, "tcg:kvm");
    ck_assert_str_eq(o.log_items, "in_asm,int");
    ck_assert_str_eq(o.log_file, "log.txt");
    ck_assert_str_eq(o.gdb, "tcp::1234");
    ck_assert(o.start_paused && o.no_reboot && o.no_shutdown && o.singlestep);
    ck_assert_str_eq(o.mem_path, "/dev/hugepages");
    ck_assert_str_eq(o.name, "guest");
    ck_assert_str_eq(o.cpu_model, "24Kf");
    ck_assert_int_eq(o.smp, 2);
    ck_assert_str_eq(o.display, "none");
    ck_assert_str_eq(o.monitor, "none");
    options_free(&o);

    ck_assert(parse(&o, &err, "-gdb", "tcp::4321", "-version", "-h", NULL));
    ck_assert_str_eq(o.gdb, "tcp::4321");
    ck_assert(o.show_version && o.show_help);
    options_free(&o);
}
END_TEST

START_TEST(test_errors)
{
    MimicOptions o;
    char *err;
    ck_assert(!parse(&o, &err, "-foo", NULL));
    ck_assert_str_eq(err, "-foo: invalid option");
    g_free(err);
    options_free(&o);
    ck_assert(!parse(&o, &err, "--foo", NULL));
    ck_assert_str_eq(err, "--foo: invalid option");
    g_free(err);
    options_free(&o);
    ck_assert(!parse(&o, &err, "-kernel", NULL));
    ck_assert_str_eq(err, "-kernel: requires an argument");
    g_free(err);
    options_free(&o);
    ck_assert(!parse(&o, &err, "-accel", "foo", NULL));
    ck_assert_str_eq(err, "-accel foo: invalid accelerator foo");
    g_free(err);
    options_free(&o);
    ck_assert(!parse(&o, &err, "-display", "gtk", NULL));
    ck_assert_str_eq(err, "-display gtk: unknown display type 'gtk' (supported: none, sdl)");
    g_free(err);
    options_free(&o);
    ck_assert(!parse(&o, &err, "-M", "virt,oops", NULL));
    ck_assert_str_eq(err, "-machine virt,oops: Invalid parameter 'oops'");
    g_free(err);
    options_free(&o);
}
END_TEST

/* -nic becomes the -netdev and -device pair the boards already take. */
START_TEST(test_nic)
{
    MimicOptions o;
    char *err;
    ck_assert(parse(&o, &err, "-nic", "user,hostfwd=tcp::2222-:22", "-nic",
                    "user,model=virtio-net-device,mac=52:54:00:12:34:99,id=n9", "-netdev",
                    "user,id=mine", NULL));
    ck_assert_int_eq(o.n_nics, 2);
    ck_assert_int_eq(o.n_netdevs, 3);
    ck_assert_str_eq(o.netdevs[0], "user,hostfwd=tcp::2222-:22,id=_nic0");
    ck_assert_str_eq(o.netdevs[1], "user,id=n9");
    ck_assert_str_eq(o.netdevs[2], "user,id=mine");
    ck_assert_int_eq(o.n_devices, 2);
    ck_assert_str_eq(o.devices[0], "virtio-net,netdev=_nic0,id=_nic0");
    ck_assert_str_eq(o.devices[1], "virtio-net-device,netdev=n9,id=_nic1,mac=52:54:00:12:34:99");
    ck_assert(!o.nic_none);
    options_free(&o);

    ck_assert(parse(&o, &err, "-nic", "none", NULL));
    ck_assert(o.nic_none);
    ck_assert_int_eq(o.n_netdevs + o.n_devices, 0);
    options_free(&o);
    ck_assert(parse(&o, &err, "-nic", "user,model=virtio", NULL));
    ck_assert_str_eq(o.devices[0], "virtio-net,netdev=_nic0,id=_nic0");
    options_free(&o);

    ck_assert(parse(&o, &err, "-hda", "a.img", "-snapshot", "-drive", "file=b.img,snapshot=off",
                    "-pidfile", "/run/m.pid", NULL));
    ck_assert(o.snapshot);
    ck_assert_str_eq(o.drives[0], "file=a.img,index=0,media=disk,snapshot=on");
    ck_assert_str_eq(o.drives[1], "file=b.img,snapshot=off");
    ck_assert_str_eq(o.pidfile, "/run/m.pid");
    options_free(&o);

    /* -net nic/-net user pairs in order; a NIC without a backend stays alone. */
    ck_assert(parse(&o, &err, "-net", "nic,macaddr=52:54:00:00:00:01", "-net",
                    "user,vlan=0,hostfwd=tcp::22-:22", "-net", "nic,model=virtio-net-device",
                    NULL));
    ck_assert_int_eq(o.n_netdevs, 1);
    ck_assert_str_eq(o.netdevs[0], "user,hostfwd=tcp::22-:22,id=_net0");
    ck_assert_int_eq(o.n_devices, 2);
    ck_assert_str_eq(o.devices[0], "virtio-net,netdev=_net0,id=_net0,mac=52:54:00:00:00:01");
    ck_assert_str_eq(o.devices[1], "virtio-net-device,id=_net1");
    options_free(&o);
    ck_assert(!parse(&o, &err, "-net", "nic,foo=1", NULL));
    ck_assert_str_eq(err, "-net nic,foo=1: Invalid parameter 'foo=1'");
    g_free(err);
    options_free(&o);

    ck_assert(
        parse(&o, &err, "-boot", "c", "-boot", "order=dc,once=d,menu=off,splash-time=5", NULL));
    options_free(&o);
    static const struct {
        const char *arg, *err;
    } bad_boot[] = {
        {"order=z", "Invalid boot device 'z'"},
        {"foo=1", "Parameter 'boot.foo' is unexpected"},
        {"c,d", "Parameter 'boot.d' is unexpected"},
        {"menu=maybe", "Parameter 'boot.menu' expects 'on' or 'off'"},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(bad_boot); i++) {
        ck_assert(!parse(&o, &err, "-boot", bad_boot[i].arg, NULL));
        ck_assert_str_eq(err, bad_boot[i].err);
        g_free(err);
        options_free(&o);
    }

    ck_assert(parse(&o, &err, "-rtc", "base=utc,clock=host,driftfix=slew", NULL));
    options_free(&o);
    ck_assert(!parse(&o, &err, "-rtc", "base=localtime", NULL));
    ck_assert_str_eq(err, "-rtc base=localtime: base=localtime is not supported by mimic (the "
                          "clocks start at the host's time in UTC)");
    g_free(err);
    options_free(&o);
    ck_assert(!parse(&o, &err, "-rtc", "base=utc,foo", NULL));
    ck_assert_str_eq(err, "-rtc base=utc,foo: Invalid parameter 'foo'");
    g_free(err);
    options_free(&o);

    ck_assert(parse(&o, &err, "-nic", "user,model=help", NULL));
    ck_assert_str_eq(o.help_topic, "nic");
    ck_assert_int_eq(o.n_netdevs, 0);
    options_free(&o);

    ck_assert(!parse(&o, &err, "-nic", "tap,ifname=x", NULL));
    ck_assert_str_eq(err, "-nic tap,ifname=x: network backend 'tap' is not supported (only "
                          "'user' and 'none')");
    g_free(err);
    options_free(&o);
    ck_assert(!parse(&o, &err, "-nic", "bogus", NULL));
    ck_assert_str_eq(err, "-nic bogus: Parameter 'type' does not accept value 'bogus'");
    g_free(err);
    options_free(&o);
    ck_assert(!parse(&o, &err, "-nic", "user,model=rtl8139", NULL));
    ck_assert_str_eq(err, "Unsupported NIC model: rtl8139");
    g_free(err);
    options_free(&o);
}
END_TEST

START_TEST(test_chardev_and_mon)
{
    MimicOptions o;
    char *err;
    ck_assert(parse(&o, &err, "-chardev", "socket,id=a,path=/tmp/s,server=on", "-chardev",
                    "null,id=b", "-mon", "chardev=a,mode=readline", "-mon", "chardev=b", "-serial",
                    "chardev:a", NULL));
    ck_assert_int_eq(o.n_chardevs, 2);
    ck_assert_str_eq(o.chardevs[0], "socket,id=a,path=/tmp/s,server=on");
    ck_assert_str_eq(o.chardevs[1], "null,id=b");
    ck_assert_int_eq(o.n_mons, 2);
    ck_assert_str_eq(o.mons[0], "a");
    ck_assert_str_eq(o.mons[1], "b");
    ck_assert_str_eq(o.serial[0], "chardev:a");
    options_free(&o);

    ck_assert(parse(&o, &err, "-name", "vm7,process=mimic-vm7,debug-threads=on", NULL));
    ck_assert_str_eq(o.name, "vm7");
    options_free(&o);
    ck_assert(parse(&o, &err, "-name", "process=p,guest=vm8", NULL));
    ck_assert_str_eq(o.name, "vm8");
    options_free(&o);

    ck_assert(!parse(&o, &err, "-mon", "chardev=a,bogus=1", NULL));
    ck_assert_str_eq(err, "-mon chardev=a,bogus=1: Invalid parameter 'bogus=1'");
    g_free(err);
    options_free(&o);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("options");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_sizes);
    tcase_add_test(tc, test_memory_option);
    tcase_add_test(tc, test_smp);
    tcase_add_test(tc, test_machine_properties);
    tcase_add_test(tc, test_repeated_serial);
    tcase_add_test(tc, test_everything_else);
    tcase_add_test(tc, test_errors);
    tcase_add_test(tc, test_nic);
    tcase_add_test(tc, test_chardev_and_mon);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
