"""Services hold the rules; views and jobs are thin and call them."""
