"use client";

import type { ButtonHTMLAttributes } from "react";

/** A secondary action beside a row or card: 44 px tall on phones (a thumb), compact from the sm breakpoint up. */
export function RowButton({ className = "", ...props }: ButtonHTMLAttributes<HTMLButtonElement>) {
  return (
    <button
      type="button"
      {...props}
      className={`min-h-11 rounded-md border border-slate-300 px-4 font-medium text-slate-700 hover:bg-slate-100 sm:min-h-0 sm:px-2 sm:py-0.5 dark:border-slate-700 dark:text-slate-200 dark:hover:bg-slate-800 ${className}`}
    />
  );
}
