"""Entry point of the desktop build: the same `photoface` command as the pip install."""

from photoface.cli import main

if __name__ == "__main__":
    main()
