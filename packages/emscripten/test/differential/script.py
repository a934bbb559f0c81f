# The program of the differential test: the same file operations run on Pyodide over Vellum, on
# Pyodide over MEMFS, and on CPython over a kernel overlay mount. Each step prints one JSON line:
# its result, or the exception it raised (type and errno name). The last line is the final tree.
# Usage: python3 script.py <root>   (Pyodide: sys.argv is set the same way)
import errno
import json
import os
import pathlib
import shutil
import sys

ROOT = sys.argv[1]
os.chdir(ROOT)


def step(name, fn):
    try:
        out = {'step': name, 'ok': fn()}
    except OSError as e:
        out = {'step': name, 'error': type(e).__name__, 'errno': errno.errorcode.get(e.errno, e.errno)}
    print(json.dumps(out, sort_keys=True))


def read(path, mode='r'):
    with open(path, mode) as f:
        data = f.read()
    return data if isinstance(data, str) else data.hex()


def write(path, data, mode='w'):
    with open(path, mode) as f:
        return f.write(data)


def kind(path):
    st = os.lstat(path)
    import stat
    if stat.S_ISLNK(st.st_mode):
        return 'symlink'
    if stat.S_ISDIR(st.st_mode):
        return 'dir'
    return 'file'


# --- open() with every mode -------------------------------------------------------------------
step('open r lower', lambda: read('base.txt'))
step('open r merged dir file', lambda: read('src/top.py') + read('src/bottom.py'))
step('open rb', lambda: read('bin.dat', 'rb'))
step('open w truncates a lower file', lambda: write('base.txt', 'new base\n'))
step('read back w', lambda: read('base.txt'))
step('open a appends to a lower file', lambda: write('notes.txt', 'more\n', 'a'))
step('read back a', lambda: read('notes.txt'))
step('open x new', lambda: write('fresh.txt', 'x', 'x'))
step('open x existing', lambda: write('notes.txt', 'x', 'x'))
step('open ab', lambda: write('bin.dat', b'\xff', 'ab'))
step('read back ab', lambda: read('bin.dat', 'rb'))


def r_plus():
    with open('src/top.py', 'r+') as f:
        f.seek(2)
        f.write('ZZ')
        f.seek(0)
        return f.read()


step('open r+ writes in the middle', r_plus)


def w_plus():
    with open('wplus.txt', 'w+') as f:
        f.write('hello world')
        f.seek(6)
        return f.read()


step('open w+ reads back', w_plus)


def a_plus():
    with open('notes.txt', 'a+') as f:
        f.write('tail\n')
        f.seek(0)
        return f.read()


step('open a+ reads the whole file', a_plus)
step('open missing', lambda: read('missing.txt'))
step('open missing dir component', lambda: read('nodir/x.txt'))
step('open through a file', lambda: read('base.txt/x'))
step('open dir for writing', lambda: write('src', 'x'))
step('open dir for reading', lambda: read('src'))
step('open gone (whited out in the top lower)', lambda: read('gone.txt'))

# --- seek / tell / truncate ---------------------------------------------------------------------


def seek_tell():
    with open('long.txt', 'rb') as f:
        f.seek(-4, 2)
        end = f.read()
        f.seek(3)
        return [end.hex(), f.tell(), f.read(2).hex(), f.tell()]


step('seek from end and start', seek_tell)


def truncate_file():
    with open('long.txt', 'r+') as f:
        f.truncate(5)
    os.truncate('notes.txt', 3)
    with open('grow.txt', 'w') as f:
        f.truncate(4)
    return [read('long.txt'), read('notes.txt'), read('grow.txt', 'rb'), os.path.getsize('grow.txt')]


step('truncate shrink and grow', truncate_file)


def seek_past_end():
    with open('sparse.bin', 'wb') as f:
        f.seek(10)
        f.write(b'!')
    return read('sparse.bin', 'rb')


step('write past the end', seek_past_end)

# --- listing ----------------------------------------------------------------------------------
step('listdir root', lambda: sorted(os.listdir('.')))
step('listdir merged', lambda: sorted(os.listdir('src')))
step('listdir opaque (hides the bottom lower)', lambda: sorted(os.listdir('opaque')))
step('listdir a file', lambda: os.listdir('base.txt'))
step('listdir missing', lambda: os.listdir('missing'))


def scandir_types():
    with os.scandir('.') as it:
        return sorted([e.name, e.is_dir(follow_symlinks=False), e.is_file(follow_symlinks=False), e.is_symlink()] for e in it)


step('scandir types', scandir_types)
step('walk', lambda: sorted([d, sorted(ds), sorted(fs)] for d, ds, fs in os.walk('.')))

# --- rename / replace -------------------------------------------------------------------------
step('rename lower file', lambda: os.rename('long.txt', 'renamed.txt'))
step('rename onto an existing file', lambda: os.rename('fresh.txt', 'renamed.txt'))
step('replace', lambda: os.replace('wplus.txt', 'notes.txt'))
step('rename merged dir', lambda: os.rename('src', 'lib'))
step('listdir renamed merged dir', lambda: sorted(os.listdir('lib')))
step('read through renamed dir', lambda: read('lib/bottom.py'))
step('rename missing', lambda: os.rename('nope', 'nope2'))
step('rename dir onto non-empty dir', lambda: os.rename('lib', 'data'))
step('rename file onto dir', lambda: os.rename('renamed.txt', 'data'))
step('rename dir onto file', lambda: os.rename('lib', 'renamed.txt'))
step('rename dir into itself', lambda: os.rename('lib', 'lib/inner'))

# --- remove -----------------------------------------------------------------------------------
step('rmdir non-empty', lambda: os.rmdir('data'))
step('rmdir missing', lambda: os.rmdir('missing'))
step('rmdir a file', lambda: os.rmdir('base.txt'))
step('remove a dir', lambda: os.remove('data'))
step('remove missing', lambda: os.remove('missing'))
step('mkdir existing', lambda: os.mkdir('data'))
step('mkdir missing parent', lambda: os.mkdir('a/b'))
step('makedirs', lambda: os.makedirs('deep/er/est'))
step('rmtree lower dir', lambda: shutil.rmtree('data'))
step('after rmtree', lambda: os.path.exists('data'))
step('rmtree missing', lambda: shutil.rmtree('missing'))
step('mkdir over a removed lower dir (opaque)', lambda: [os.mkdir('data'), sorted(os.listdir('data'))])

# --- copytree ---------------------------------------------------------------------------------
step('copytree', lambda: shutil.copytree('lib', 'copy') and sorted(os.listdir('copy')))
step('copytree onto existing', lambda: shutil.copytree('lib', 'copy'))
step('read the copy', lambda: read('copy/top.py'))

# --- pathlib ----------------------------------------------------------------------------------


def with_pathlib():
    p = pathlib.Path('pl')
    p.mkdir(parents=True, exist_ok=True)
    (p / 'sub').mkdir()
    (p / 'a.txt').write_text('alpha')
    (p / 'sub' / 'b.py').write_text('beta')
    out = [
        (p / 'a.txt').read_text(),
        sorted(str(x) for x in p.iterdir()),
        sorted(str(x) for x in pathlib.Path('.').glob('**/*.py')),
        (p / 'a.txt').exists(),
        (p / 'nothing').exists(),
        (p / 'sub').is_dir(),
    ]
    (p / 'a.txt').rename(p / 'c.txt')
    (p / 'missing').unlink(missing_ok=True)
    out.append(sorted(x.name for x in p.iterdir()))
    return out


step('pathlib', with_pathlib)
step('pathlib unlink missing', lambda: pathlib.Path('pl/none').unlink())

# --- symlinks ---------------------------------------------------------------------------------
step('read through a lower symlink', lambda: read('link-to-base'))
step('readlink lower', lambda: os.readlink('link-to-base'))
step('symlink', lambda: os.symlink('renamed.txt', 'mylink'))
step('readlink new', lambda: os.readlink('mylink'))
step('read through new symlink', lambda: read('mylink'))
step('islink', lambda: [os.path.islink('mylink'), os.path.islink('renamed.txt')])
step('dangling symlink', lambda: [os.symlink('nowhere', 'dangling'), os.path.exists('dangling'), os.path.lexists('dangling')])
step('symlink existing', lambda: os.symlink('x', 'mylink'))
step('symlink to dir, list through it', lambda: [os.symlink('lib', 'dirlink'), sorted(os.listdir('dirlink'))])
step('remove symlink keeps target', lambda: [os.remove('mylink'), os.path.exists('renamed.txt')])

# --- metadata -----------------------------------------------------------------------------------


def chmod_stat():
    os.chmod('base.txt', 0o600)
    return oct(os.stat('base.txt').st_mode & 0o7777)


step('chmod a lower file', chmod_stat)


def utime_stat():
    os.utime('bin.dat', (1000000000, 1200000000))
    st = os.stat('bin.dat')
    return [int(st.st_atime), int(st.st_mtime)]


step('utime a lower file', utime_stat)
step('sizes', lambda: [os.path.getsize(p) for p in ('bin.dat', 'renamed.txt', 'lib/top.py', 'sparse.bin')])
step('nlink of a lower file', lambda: os.stat('lib/bottom.py').st_nlink)
step('stat whited-out name', lambda: os.stat('gone.txt'))
step('scandir stat sizes', lambda: sorted([e.name, e.stat().st_size] for e in os.scandir('lib')))


def create_mode(mode):
    fd = os.open('mode-%o.txt' % mode, os.O_CREAT | os.O_WRONLY, mode)
    os.close(fd)
    return oct(os.stat('mode-%o.txt' % mode).st_mode & 0o777)


step('create with mode 0o640', lambda: create_mode(0o640))
step('create with mode 0o666 (umask applies)', lambda: create_mode(0o666))
step('mkdir with mode 0o777 (umask applies)', lambda: [os.mkdir('m777', 0o777), oct(os.stat('m777').st_mode & 0o777)])

# --- open files and the namespace ---------------------------------------------------------------


def unlink_while_open():
    f = open('tmp.txt', 'w+')
    os.remove('tmp.txt')
    f.write('abc')
    f.flush()
    size = os.fstat(f.fileno()).st_size
    f.seek(0)
    data = f.read()
    f.close()
    return [size, data, os.path.exists('tmp.txt')]


step('unlink while open', unlink_while_open)


def write_through_symlink():
    os.symlink('base.txt', 'link2')
    write('link2', 'through the link\n')
    return [read('base.txt'), os.readlink('link2')]


step('write through a symlink to a lower file', write_through_symlink)
step('move a file into a directory', lambda: [os.rename('bin.dat', 'lib/bin.dat'), sorted(os.listdir('lib'))])
step('remove in a merged dir', lambda: [os.remove('lib/bottom.py'), sorted(os.listdir('lib'))])


def fd_ops():
    fd = os.open('fd.txt', os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o644)
    os.write(fd, b'0123456789')
    os.lseek(fd, 2, os.SEEK_SET)
    a = os.read(fd, 3)
    os.ftruncate(fd, 4)
    end = os.lseek(fd, 0, os.SEEK_END)
    os.pwrite(fd, b'XY', 1)
    b = os.pread(fd, 10, 0)
    os.close(fd)
    return [a.hex(), end, b.hex()]


step('fd-level calls', fd_ops)
step('exclusive create of an existing file', lambda: os.open('fd.txt', os.O_CREAT | os.O_EXCL | os.O_WRONLY))

# --- hard links -------------------------------------------------------------------------------


def hard_link():
    if not hasattr(os, 'link'):
        return 'no os.link'
    os.link('renamed.txt', 'hard.txt')
    out = [os.path.samefile('renamed.txt', 'hard.txt'), os.stat('renamed.txt').st_nlink]
    os.remove('hard.txt')
    return out + [os.stat('renamed.txt').st_nlink]


step('hard link', hard_link)

# --- the final tree ---------------------------------------------------------------------------


def tree():
    out = {}
    for d, ds, fs in os.walk('.'):
        for name in ds + fs:
            p = os.path.join(d, name)[2:]
            k = kind(p)
            if k == 'symlink':
                out[p] = ['symlink', os.readlink(p)]
            elif k == 'dir':
                out[p] = ['dir']
            else:
                with open(p, 'rb') as f:
                    out[p] = ['file', f.read().hex()]
    return out


print(json.dumps({'tree': tree()}, sort_keys=True))
