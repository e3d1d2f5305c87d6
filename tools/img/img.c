/* mimic-img: the disk image tool (qemu-img's command line) on top of the
 * block layer. This file picks the subcommand; the img-*.c files do the work. */
#include <stdio.h>
#include <string.h>

#include "tools/img/img.h"

typedef struct ImgCommand {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *syntax;
} ImgCommand;

static const ImgCommand img_commands[] = {
    {"amend", img_cmd_amend,
     "amend [--image-opts] [-p] [-q] [-f fmt] [-t cache] [--force] -o options filename"},
    {"bench", img_cmd_bench,
     "bench [-c count] [-d depth] [-f fmt] [--flush-interval=flush_interval] [-i aio] [-n] "
     "[--no-drain] [-o offset] [--pattern=pattern_byte] [-q] [-s buffer_size] [-S step_size] "
     "[-t cache] [-U] [-w] [--image-opts] filename"},
    {"bitmap", img_cmd_bitmap,
     "bitmap (--merge SOURCE | --add | --remove | --clear | --enable | --disable)... "
     "[-b source_file [-F source_fmt]] [-g granularity] [--image-opts | -f fmt] filename "
     "bitmap"},
    {"check", img_cmd_check,
     "check [--image-opts] [-q] [-f fmt] [--output=ofmt] [-r [leaks | all]] [-T src_cache] [-U] "
     "filename"},
    {"commit", img_cmd_commit,
     "commit [--image-opts] [-q] [-f fmt] [-t cache] [-b base] [-d] [-p] filename"},
    {"compare", img_cmd_compare,
     "compare [--image-opts] [-f fmt] [-F fmt] [-T src_cache] [-p] [-q] [-s] [-U] filename1 "
     "filename2"},
    {"convert", img_cmd_convert,
     "convert [--image-opts] [--target-image-opts] [--target-is-zero] [--bitmaps] [-U] [-c] [-p] "
     "[-q] [-n] [-f fmt] [-t cache] [-T src_cache] [-O output_fmt] "
     "[-B backing_file [-F backing_fmt]] [-o options] [-l snapshot_param] [-S sparse_size] "
     "[-m num] [-W] "
     "filename [filename2 [...]] output_filename"},
    {"create", img_cmd_create,
     "create [-q] [-f fmt] [-b backing_file [-F backing_fmt]] [-u] [-o options] filename [size]"},
    {"dd", img_cmd_dd,
     "dd [--image-opts] [-U] [-f fmt] [-O output_fmt] [bs=block_size] [count=blocks] [skip=blocks] "
     "if=input "
     "of=output"},
    {"info", img_cmd_info,
     "info [--image-opts] [-f fmt] [--output=ofmt] [--backing-chain] [-U] filename"},
    {"map", img_cmd_map,
     "map [--image-opts] [-f fmt] [--start-offset=offset] [--max-length=len] [--output=ofmt] [-U] "
     "filename"},
    {"measure", img_cmd_measure,
     "measure [--output=ofmt] [-O output_fmt] [-o options] [--size N | [-f fmt] "
     "[--image-opts] [-l snapshot_param] filename]"},
    {"snapshot", img_cmd_snapshot,
     "snapshot [--image-opts] [-U] [-q] [-l | -a snapshot | -c snapshot | -d snapshot] filename"},
    {"rebase", img_cmd_rebase,
     "rebase [--image-opts] [-U] [-q] [-f fmt] [-t cache] [-T src_cache] [-p] [-u] -b backing_file "
     "[-F backing_fmt] filename"},
    {"resize", img_cmd_resize,
     "resize [--image-opts] [-f fmt] [--preallocation=prealloc] [-q] [--shrink] filename [+ | "
     "-]size"},
};

static void img_print_version(void)
{
    printf("%s version 0.1.0 (mimic)\n", IMG_PROG);
    printf("A disk image tool compatible with qemu-img, part of the mimic emulator\n");
}

static void img_print_help(void)
{
    img_print_version();
    printf("usage: %s [standard options] command [command options]\n"
           "Disk image utility: create, inspect, check, convert and modify raw and qcow2 "
           "images\n\n"
           "    '-h', '--help'       display this help and exit\n"
           "    '-V', '--version'    output version information and exit\n\n"
           "Command syntax:\n",
           IMG_PROG);
    for (size_t i = 0; i < sizeof(img_commands) / sizeof(img_commands[0]); i++) {
        printf("  %s\n", img_commands[i].syntax);
    }
    printf("\nCommand parameters:\n"
           "  'filename' is a disk image file name\n"
           "  'fmt' is the image format (raw or qcow2); it is probed when not given\n"
           "  'cache' is the host cache mode for the written image: none, writeback,\n"
           "    writethrough, directsync or unsafe\n"
           "  'src_cache' is the cache mode for images that are only read\n"
           "  'size' is a size in bytes; the suffixes k, M, G, T, P and E (powers of 1024)\n"
           "    are accepted, and 'b' means bytes\n"
           "  'output_filename' is the image to write, 'output_fmt' its format\n"
           "  'options' is a comma-separated list of name=value format options;\n"
           "    '-o help' lists those of the format\n"
           "  'snapshot_param' names an internal snapshot: 'snapshot.id=ID,snapshot.name=NAME'\n"
           "    or 'ID_OR_NAME'\n"
           "  '-c' compresses the written clusters (qcow2 only)\n"
           "  '-u' unsafe backing: create without opening the backing file, or rebase\n"
           "    by rewriting the backing file name only\n"
           "  '-p' shows progress (convert, compare, commit, rebase)\n"
           "  '-q' quiet: print nothing but errors\n"
           "  '-S' the run of zero bytes (default 4k) that is left unallocated in\n"
           "    converted images; 0 allocates everything\n"
           "  '--output' is human or json\n"
           "  '-n' writes into an existing output image instead of creating it\n\n"
           "Parameters to check:\n"
           "  '-r leaks' repairs leaked clusters only, '-r all' repairs every error found\n"
           "  exit codes: 0 consistent, 1 check failed, 2 corrupted, 3 leaked clusters,\n"
           "  63 the format has no checks\n\n"
           "Parameters to snapshot:\n"
           "  '-l' lists, '-c' creates, '-a' applies and '-d' deletes a snapshot\n\n"
           "Parameters to bitmap:\n"
           "  'bitmap' is the name of the bitmap; the actions '--add', '--remove', '--clear',\n"
           "  '--enable', '--disable' and '--merge SOURCE' run in the order given\n"
           "  '-g granularity' (with --add): bytes per bit, a power of two, 512 to 2 GiB\n"
           "  '-b source_file' ('-F source_fmt'): the image --merge reads SOURCE from\n\n"
           "Parameters to bench:\n"
           "  '-c' requests (default 75000), '-d' reported queue depth (default 64),\n"
           "  '-o' first offset, '-s' request size (default 4k), '-S' step (default: the\n"
           "  size), '-w' writes (default: reads), '--pattern' the byte written,\n"
           "  '--flush-interval' a flush every N requests (with -w)\n\n"
           "'--image-opts': the image is named by options, e.g.\n"
           "  'driver=qcow2,file.filename=disk.qcow2' or 'driver=file,filename=disk.raw'\n"
           "  (also cache.direct=on|off, cache.no-flush=on|off)\n\n"
           "Parameters to dd:\n"
           "  'bs=N' block size (default 512), 'count=N' blocks to copy, 'skip=N' blocks of\n"
           "  the input to skip, 'if=FILE' input, 'of=FILE' output (created)\n\n"
           "Parameters to compare:\n"
           "  '-f' first image format, '-F' second image format\n"
           "  '-s' strict: sizes and allocation must match too\n"
           "  exit codes: 0 identical, 1 different, 2 an image could not be opened,\n"
           "  3 allocation could not be read, 4 data could not be read\n\n"
           "Supported formats: qcow2 raw\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        img_usage_error("Not enough arguments");
        return IMG_EXIT_FAIL;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help")) {
        img_print_help();
        return 0;
    }
    if (!strcmp(cmd, "-V") || !strcmp(cmd, "--version")) {
        img_print_version();
        return 0;
    }
    if (cmd[0] == '-') {
        img_usage_error("unrecognized option '%s'", cmd);
        return IMG_EXIT_FAIL;
    }
    for (size_t i = 0; i < sizeof(img_commands) / sizeof(img_commands[0]); i++) {
        if (!strcmp(cmd, img_commands[i].name)) {
            /* Subcommands see argv[0] = their name, like a program of their own. */
            for (int j = 2; j < argc; j++) {
                if (!strcmp(argv[j], "-h") || !strcmp(argv[j], "--help")) {
                    img_print_help();
                    return 0;
                }
                if (!strcmp(argv[j], "--")) {
                    break;
                }
            }
            return img_commands[i].run(argc - 1, argv + 1);
        }
    }
    img_usage_error("Command not found: %s", cmd);
    return IMG_EXIT_FAIL;
}
